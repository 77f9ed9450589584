import Foundation

/// The registry's API contract, `openapi.yaml`, shipped inside the binary so /openapi.yaml
/// always describes the build that serves it.
public enum OpenAPIDocument {
    public static let yaml: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = try? Data(contentsOf: url) else {
            return Data("openapi: 3.1.0\ninfo: {title: missing, version: '0'}\npaths: {}\n".utf8)
        }
        return data
    }()
}
