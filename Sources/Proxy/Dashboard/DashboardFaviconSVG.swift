/// `/dashboard/favicon.svg`: a small mark, so the browser's favicon request is not a 404.
enum DashboardFaviconSVG {
    static let text = #"""
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#102a43"/><path d="M3 4l5 9 5-9" fill="none" stroke="#fff" stroke-width="2"/></svg>
"""#
}
