import Foundation
import PostgresNIO

/// A named statement reading one record by id (`$1`) within the caller's sites (`$2`, NULL for
/// every site): the course and patient pages.
protocol ScopedRead: PostgresPreparedStatement {
    var id: UUID { get }
    /// nil: any site.
    var scope: Set<UUID>? { get }
}

extension ScopedRead {
    static var bindingDataTypes: [PostgresDataType] { [.uuid, .uuidArray] }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(id)
        bindings.append(scope.map(Array.init))
        return bindings
    }
}
