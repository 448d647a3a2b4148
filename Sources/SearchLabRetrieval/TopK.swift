// Keeping the k best documents with a bounded binary heap whose root is the worst kept.

/// The `capacity` best documents seen, by score descending then id byte order ascending.
struct TopK {
    let capacity: Int
    let index: BM25Index
    /// Min-heap on "goodness": the root is the worst document kept.
    private var heap: [(document: Int, score: Double, rank: Int)] = []

    init(capacity: Int, index: BM25Index) {
        self.capacity = capacity
        self.index = index
        heap.reserveCapacity(capacity)
    }

    /// Whether `a` ranks above `b`: higher score, or equal score and smaller id.
    @inline(__always)
    static func better(_ a: (document: Int, score: Double, rank: Int), _ b: (document: Int, score: Double, rank: Int)) -> Bool {
        a.score > b.score || (a.score == b.score && a.rank < b.rank)
    }

    mutating func offer(_ document: Int, _ score: Double) {
        if heap.count == capacity {
            let root = heap[0]
            if score < root.score { return }
            let candidate = (document: document, score: score, rank: index.idRank(document))
            guard TopK.better(candidate, root) else { return }
            heap[0] = candidate
            siftDown(0)
        } else {
            heap.append((document: document, score: score, rank: index.idRank(document)))
            siftUp(heap.count - 1)
        }
    }

    /// The lowest kept score (the root), or 0 when empty.
    var worstScore: Double { heap.first?.score ?? 0 }

    /// The kept documents, best first.
    func sorted() -> [ScoredDocument] {
        heap.sorted(by: TopK.better).map { ScoredDocument(document: $0.document, score: $0.score) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard TopK.better(heap[parent], heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var worst = parent
            if left < heap.count, TopK.better(heap[worst], heap[left]) { worst = left }
            if right < heap.count, TopK.better(heap[worst], heap[right]) { worst = right }
            if worst == parent { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
