/// Fixed-capacity ring, newest first on read.
package struct RingBuffer<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var head = 0
    package let capacity: Int

    package init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(self.capacity)
    }

    package mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
    }

    package var count: Int { storage.count }

    /// Up to `limit` elements, newest first.
    package func newest(_ limit: Int) -> [Element] {
        let n = min(max(0, limit), storage.count)
        var out: [Element] = []
        out.reserveCapacity(n)
        var i = (storage.count < capacity ? storage.count : head) - 1
        for _ in 0..<n {
            if i < 0 { i += storage.count }
            out.append(storage[i])
            i -= 1
        }
        return out
    }
}
