import Hummingbird

/// `GET /dashboard` and its assets, all from the binary (nothing from a CDN; works offline). Open
/// without `PROXY_API_KEY`: the files hold no data; the page asks for the key and sends it as a
/// header to the JSON views, which check it.
package enum DashboardRoutes {
    package static let index = DashboardAsset(path: "/dashboard", contentType: "text/html; charset=utf-8", text: DashboardIndexHTML.text)

    package static let assets: [DashboardAsset] = [
        DashboardAsset(path: "/dashboard/dashboard.css", contentType: "text/css; charset=utf-8", text: DashboardCSS.text),
        DashboardAsset(path: "/dashboard/format.js", contentType: "text/javascript; charset=utf-8", text: DashboardFormatJS.text),
        DashboardAsset(path: "/dashboard/stream.js", contentType: "text/javascript; charset=utf-8", text: DashboardStreamJS.text),
        DashboardAsset(path: "/dashboard/app.js", contentType: "text/javascript; charset=utf-8", text: DashboardAppJS.text),
        DashboardAsset(path: "/dashboard/favicon.svg", contentType: "image/svg+xml", text: DashboardFaviconSVG.text),
    ]

    static func register<Context: RequestContext>(on router: Router<Context>) {
        let index = index  // `/dashboard/` too: the router ignores a trailing slash
        router.get("/dashboard") { request, _ in index.response(to: request) }
        for asset in assets {
            router.get(RouterPath(asset.path)) { request, _ in asset.response(to: request) }
        }
    }
}
