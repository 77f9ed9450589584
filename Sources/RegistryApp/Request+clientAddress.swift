import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// Who sent the request, for sign-in throttling and the follow-up answer limit.
    ///
    /// Behind a reverse proxy every request comes from the proxy, so with `trustProxy`
    /// (`server.trustProxy`, only for a registry reachable through its proxy alone) the address is
    /// the last one in X-Forwarded-For: the one the proxy itself appended, which a client cannot forge.
    func clientAddress(_ context: RegistryRequestContext, trustProxy: Bool) -> String {
        if trustProxy, let forwarded = headers[HTTPField.Name("X-Forwarded-For")!],
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        {
            return last
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}
