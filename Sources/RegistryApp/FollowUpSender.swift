import AsyncHTTPClient
import Foundation
import Logging
import RegistryCore
import RegistryStore
import RegistryWeb
import ServiceLifecycle

/// The outbox's sender, inside `registry serve`: every `outbox.intervalSeconds` it queues the
/// messages the follow-ups call for, and outside quiet hours sends those whose time has come on
/// the configured channels. Several servers share the work through the outbox's row locks.
public struct FollowUpSender: Service {
    let outbox: OutboxRepository
    let config: RegistryConfig
    let channels: [ContactChannel: any MessageChannel]
    let catalogue: Catalogue
    let now: @Sendable () -> Date
    let logger: Logger

    /// The channels `config` turns on (`configuredChannels`).
    public init(
        outbox: OutboxRepository, config: RegistryConfig, client: HTTPClient = .shared, now: @escaping @Sendable () -> Date, logger: Logger
    ) throws {
        var channels: [ContactChannel: any MessageChannel] = [:]
        for channel in config.outbox.configuredChannels {
            switch channel {
            case .line: channels[.line] = LineChannel(client: client, config: config.outbox.line)
            case .sms: channels[.sms] = SMSGateway(client: client, config: config.outbox.sms)
            }
        }
        self.outbox = outbox
        self.config = config
        self.channels = channels
        self.catalogue = try Catalogue()
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        logger.info("follow-up outbox running", metadata: ["channels": "\(channels.keys.map(\.rawValue).sorted())"])
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pass()
                try await Task.sleep(for: .milliseconds(Int(config.outbox.intervalSeconds * 1000)))
            }
        }
    }

    /// One pass: plan, then send what is ready, each channel on its own so a slow or failing
    /// gateway holds up only its own messages. A database that is away is tried on the next pass.
    public func pass() async {
        do {
            let now = now(), today = config.today(now: now)
            try await outbox.plan(today: today, now: now, channels: Set(channels.keys))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = config.clinicTimeZone
            if config.outbox.quiet(hour: calendar.component(.hour, from: now)) { return }
            let claimed = try await outbox.claim(now: now, today: today, lease: .seconds(config.outbox.leaseSeconds), limit: 50)
            await withTaskGroup(of: Void.self) { group in
                for (name, messages) in Dictionary(grouping: claimed, by: \.channel) {
                    guard let channel = channels[name] else { continue }
                    group.addTask { await self.send(messages, over: channel) }
                }
            }
        } catch {
            logger.warning("follow-up outbox pass failed", metadata: ["error": "\(error)"])
        }
    }

    /// Sends one channel's messages in turn, recording how each went; a database that is away
    /// leaves the rest claimed, for the next sender once their lease runs out.
    private func send(_ messages: [OutgoingMessage], over channel: any MessageChannel) async {
        do {
            for message in messages {
                let result = await channel.send(text(message), to: message.address, messageId: message.id)
                if case .failed(let reason, _) = result {
                    logger.warning("follow-up message not delivered", metadata: ["message": "\(message.id)", "reason": "\(reason)"])
                }
                try await outbox.settle(message.id, result, now: now())
            }
        } catch {
            logger.warning("follow-up outbox could not record a message", metadata: ["error": "\(error)"])
        }
    }

    /// The clinic's name and the link, in Traditional Chinese then English; never a diagnosis.
    func text(_ message: OutgoingMessage) -> String {
        let base = config.server.publicOrigin
        let key = message.number == 0 ? "outboxInvitation" : "outboxReminder"
        let values = ["clinic": message.clinic]
        return [
            catalogue.text(key, .zhTW, values), catalogue.text(key, .en, values), "\(base)/f/\(message.token)", "",
            "\(catalogue.text("outboxStop", .zhTW)) / \(catalogue.text("outboxStop", .en)): \(base)/f/\(message.token)/stop",
        ].joined(separator: "\n")
    }
}
