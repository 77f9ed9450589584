import Foundation

/// The few dense linear-algebra steps the tests and models need (a handful of rows), by
/// Gauss–Jordan elimination with partial pivoting.
enum Matrix {
    /// x with A·x = b; nil when A is singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        inverse(a).map { inverse in inverse.map { row in zip(row, b).reduce(0) { $0 + $1.0 * $1.1 } } }
    }

    /// A⁻¹; nil when A is singular (a pivot vanishes relative to the matrix's scale).
    static func inverse(_ a: [[Double]]) -> [[Double]]? {
        let n = a.count
        guard n > 0 else { return nil }
        let scale = a.flatMap { $0 }.map(abs).max() ?? 0
        guard scale > 0, scale.isFinite else { return nil }
        var m = a.enumerated().map { i, row in row + (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(m[$0][column]) < abs(m[$1][column]) }!
            guard abs(m[pivot][column]) > scale * 1e-12 else { return nil }
            m.swapAt(column, pivot)
            let divisor = m[column][column]
            m[column] = m[column].map { $0 / divisor }
            for row in 0..<n where row != column {
                let factor = m[row][column]
                if factor != 0 { m[row] = zip(m[row], m[column]).map { $0 - factor * $1 } }
            }
        }
        return m.map { Array($0[n...]) }
    }
}
