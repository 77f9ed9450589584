import Foundation

/// A way to reach a patient for follow-up. E-mail is not offered: the offline package set has no
/// SMTP client, and a hand-written one is not what a clinic should trust with patient mail.
public enum ContactChannel: String, CodedValue { case line, sms }

/// How the patient gave consent to be contacted.
public enum ConsentHow: String, CodedValue { case written, verbal, online }

/// A patient's consent to follow-up messages: the channels in order of preference and how to
/// reach them (SMS goes to the phone on the patient's record), and an opt-out that stops them all.
public struct FollowUpContact: Codable, Sendable, Equatable {
    public let channels: [ContactChannel]
    public let lineUserId: String?
    public let consentedOn: CalendarDate
    public let consentHow: ConsentHow
    public let optedOutAt: Date?

    public init(channels: [ContactChannel], lineUserId: String?, consentedOn: CalendarDate, consentHow: ConsentHow, optedOutAt: Date?) {
        self.channels = channels
        self.lineUserId = lineUserId
        self.consentedOn = consentedOn
        self.consentHow = consentHow
        self.optedOutAt = optedOutAt
    }
}

/// The consent as a clinician records it (`PUT /api/v1/patients/{id}/contact`). Recording it
/// again replaces it and ends an earlier opt-out: the patient agreed anew.
public struct ContactInput: Codable, Sendable {
    public var channels: [String]?
    public var lineUserId: String?
    public var consentedOn: String?
    public var consentHow: String?

    public init(channels: [String]? = nil, lineUserId: String? = nil, consentedOn: String? = nil, consentHow: String? = nil) {
        self.channels = channels
        self.lineUserId = lineUserId
        self.consentedOn = consentedOn
        self.consentHow = consentHow
    }

    /// `phone`: the phone on the patient's record, which SMS needs.
    public func validated(_ context: ValidationContext, phone: String?) throws(ValidationFailure) -> FollowUpContact {
        var v = Validator()
        var channels: [ContactChannel] = []
        if let names = self.channels, !names.isEmpty {
            for (index, name) in names.enumerated() {
                guard let channel = v.coded(name, "channels[\(index)]", as: ContactChannel.self) else { continue }
                if channels.contains(channel) { v.fail("channels[\(index)]", "repeated", "names \(name) twice") } else { channels.append(channel) }
            }
        } else {
            v.fail("channels", "required", "must list at least one of \(ContactChannel.allowed.joined(separator: ", ")), in order of preference")
        }
        let line = lineUserId.flatMap { $0.isEmpty ? nil : $0 }
        if let line {
            _ = v.pattern(line, "lineUserId", regex: "U[0-9a-f]{32}", explanation: "must be a LINE user id: U and 32 hexadecimal digits")
        } else if channels.contains(.line) {
            v.fail("lineUserId", "required", "is required for the LINE channel")
        }
        if channels.contains(.sms) && (phone ?? "").isEmpty {
            v.fail("channels", "sms_needs_phone", "lists sms, but the patient has no phone number on record")
        }
        let on = v.date(consentedOn, "consentedOn", notAfter: context.today)
        let how = v.coded(consentHow, "consentHow", as: ConsentHow.self)
        return try v.finish { FollowUpContact(channels: channels, lineUserId: line, consentedOn: on!, consentHow: how!, optedOutAt: nil) }
    }
}
