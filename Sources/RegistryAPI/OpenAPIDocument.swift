import Foundation

/// The registry's API contract, `openapi.yaml`, shipped inside the binary so /openapi.yaml
/// always describes the build that serves it.
public enum OpenAPIDocument {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "openapi.yaml is missing from the build's resources" }
    }

    /// The document; a build without it is broken, so the server refuses to start rather than
    /// serve something else.
    public static func load() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else { throw Missing() }
        return try Data(contentsOf: url)
    }
}
