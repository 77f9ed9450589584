/// Benchmarks time the registry and its baseline in alternating rounds and report the median
/// round: this machine's load drifts, and one run of each can land on a quiet moment for one
/// side and a busy one for the other.
enum BenchRounds {
    static let count = 3

    /// Runs `round` `count` times, in order; returns every round and the one whose ratio is the median.
    static func run<Round>(_ round: (Int) async throws -> Round, ratio: (Round) -> Double) async throws -> (all: [Round], median: Round) {
        var rounds: [Round] = []
        for n in 1...count { rounds.append(try await round(n)) }
        return (rounds, rounds.sorted { ratio($0) < ratio($1) }[count / 2])
    }
}
