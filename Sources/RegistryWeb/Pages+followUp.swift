import Foundation
import RegistryAnalytics
import RegistryCore

extension FormSpec {
    /// What a patient answers from a follow-up link.
    public static let patientAnswer = FormSpec(
        titleKey: "howAreYou",
        groups: [
            FormGroup(fields: [
                FormField("nrs", "patientNRS", .scale),
                FormField("pgic", "patientPGIC", .choice((1...7).map(String.init), labelPrefix: "pgic_"), hint: "optional"),
                FormField("painCameBack", "painCameBack", .yesNo),
            ])
        ])
}

/// The follow-up pages: the patient's (one question set, nothing about them but the clinic's
/// name) and the clinic's due list.
extension Pages {
    public enum PatientPage: Sendable {
        /// The questions, for the follow-up `label` (what was typed and its problems in `form`).
        case ask(FilledForm, label: String)
        case thanks, alreadyReceived, nothingDue, invalidLink, tooMany
        /// The opt-out's question, with the button that posts to `action`; then its answer.
        case optOut(action: String)
        case optedOut
    }

    /// `clinic` is nil for a link that is not valid: the page then names nothing.
    public func patientFollowUp(_ language: Language, clinic: String?, page: PatientPage) throws -> String {
        var values: [String: Any] = [
            "title": clinic ?? catalogue.text("followUpTitle", language), "clinic": clinic ?? catalogue.text("appName", language),
            "patientView": true,
        ]
        switch page {
        case .ask(let form, let label):
            values["form"] = formValues(form, language)
            values["intro"] = catalogue.text("followUpIntro", language, ["milestone": catalogue.milestone(label, language)])
        case .thanks: values["message"] = catalogue.text("followUpThanks", language)
        case .alreadyReceived: values["message"] = catalogue.text("followUpAlready", language)
        case .nothingDue: values["message"] = catalogue.text("followUpNothingDue", language)
        case .invalidLink: values["message"] = catalogue.text("followUpInvalid", language)
        case .tooMany: values["message"] = catalogue.text("followUpTooMany", language)
        case .optOut(let action):
            let name = clinic ?? catalogue.text("appName", language)
            values["title"] = catalogue.text("optOutTitle", language)
            values["message"] = catalogue.text("optOutAsk", language, ["clinic": name])
            values["stop"] = ["action": action, "button": catalogue.text("optOutButton", language)]
        // The clinic is named by the page's heading, marked as a name.
        case .optedOut: values["message"] = catalogue.text("optOutDone", language)
        }
        return try render("follow-up", language, values)
    }

    /// A milestone's configured label in the page's language, when the catalogue has it
    /// (`milestone <label>`), else as configured.
    /// One follow-up waiting for an answer, as the due list shows it.
    public struct DueRow: Sendable {
        public let courseId: UUID
        public let patient: PatientRecord
        public let site: String
        public let followUp: FollowUpSchedule.FollowUp
        /// What the outbox has for this follow-up, invitation first.
        public let messages: [CourseFollowUp.Message]
        public init(
            courseId: UUID, patient: PatientRecord, site: String, followUp: FollowUpSchedule.FollowUp, messages: [CourseFollowUp.Message] = []
        ) {
            self.courseId = courseId
            self.patient = patient
            self.site = site
            self.followUp = followUp
            self.messages = messages
        }
    }

    /// Values for due-list rows (the page and home's section share them).
    func dueRows(_ rows: [DueRow], _ language: Language) -> [[String: Any]] {
        rows.map { row in
            [
                "courseId": row.courseId.uuidString.lowercased(), "patient": "\(row.patient.familyName) \(row.patient.givenName)",
                "mrn": row.patient.mrn,
                "phone": row.patient.phone ?? "–", "email": row.patient.email ?? "–", "site": row.site,
                "milestone": catalogue.milestone(row.followUp.label, language),
                "dueOn": row.followUp.dueOn.description, "closesOn": row.followUp.closesOn.description,
                "state": catalogue.text("followUp_" + row.followUp.state.rawValue, language), "overdue": row.followUp.state == .overdue,
                "asked": row.messages.map { message in
                    [messageKind(message, language), message.channelLabel(catalogue, language), messageState(message, language)]
                        .joined(separator: " · ")
                },
            ]
        }
    }

    /// `reviews` are courses whose patient said the pain came back: (review id, course id, patient, day), with the CSRF token of their buttons.
    public func followUps(
        _ language: Language, viewer: Viewer, rows: [DueRow], reviews: [(id: UUID, courseId: UUID, patient: String, on: CalendarDate)],
        csrf: String, writable: Bool
    ) throws -> String {
        try render(
            "follow-ups", language,
            [
                "title": catalogue.text("followUpsTitle", language), "viewer": viewer, "rows": dueRows(rows, language), "empty": rows.isEmpty,
                "reviews": reviews.map {
                    [
                        "id": $0.id.uuidString.lowercased(), "courseId": $0.courseId.uuidString.lowercased(), "patient": $0.patient,
                        "on": $0.on.description, "csrf": csrf, "writable": writable,
                    ]
                },
                "hasReviews": !reviews.isEmpty,
            ])
    }

    /// The course page's follow-up section: the schedule, the course's links, and a link just made.
    public struct CourseFollowUp: Sendable {
        public let schedule: FollowUpSchedule
        public let links: [(id: UUID, created: Date, expires: Date, revoked: Date?, answers: Int)]
        public let issuedURL: String?
        public let csrf: String?
        /// What the outbox sent for the course: number 0 is the invitation; `state` and
        /// `channel` as stored, `when` the time it was sent or else queued.
        public let messages: [Message]
        public struct Message: Sendable {
            public let dueOn: CalendarDate, number: Int, channel: String, state: String, when: Date, error: String?
            public init(dueOn: CalendarDate, number: Int, channel: String, state: String, when: Date, error: String?) {
                (self.dueOn, self.number, self.channel, self.state, self.when, self.error) = (dueOn, number, channel, state, when, error)
            }
        }
        public init(
            schedule: FollowUpSchedule, links: [(id: UUID, created: Date, expires: Date, revoked: Date?, answers: Int)], issuedURL: String?,
            csrf: String?, messages: [Message] = []
        ) {
            self.schedule = schedule
            self.messages = messages
            self.links = links
            self.issuedURL = issuedURL
            self.csrf = csrf
        }
    }

    func followUpValues(_ followUp: CourseFollowUp, courseId: String, _ language: Language) -> [String: Any] {
        let now = Date()
        return [
            "schedule": followUp.schedule.followUps.map { item in
                [
                    "label": catalogue.milestone(item.label, language), "dueOn": item.dueOn.description,
                    "window": "\(item.opensOn) – \(item.closesOn)",
                    "state": catalogue.text("followUp_" + item.state.rawValue, language), "answeredOn": item.answeredOn?.description ?? false,
                ] as [String: Any]
            },
            "hasSchedule": !followUp.schedule.followUps.isEmpty, "ended": followUp.schedule.endedOn?.description ?? false,
            "links": followUp.links.map { link in
                let state = link.revoked != nil ? "stateRevoked" : link.expires < now ? "stateExpired" : "stateActive"
                return [
                    "id": link.id.uuidString.lowercased(), "created": Self.moment(link.created), "expires": Self.moment(link.expires),
                    "state": catalogue.text(state, language), "answers": link.answers, "revocable": state == "stateActive" && followUp.csrf != nil,
                    "csrf": followUp.csrf ?? "", "courseId": courseId,
                ] as [String: Any]
            },
            "messages": followUp.messages.map { message in
                [
                    "dueOn": message.dueOn.description, "kind": messageKind(message, language),
                    "channel": message.channelLabel(catalogue, language),
                    "state": catalogue.text("messageState_" + message.state, language), "when": Self.moment(message.when),
                    "error": message.error ?? false,
                ] as [String: Any]
            },
            "hasMessages": !followUp.messages.isEmpty,
            "hasLinks": !followUp.links.isEmpty, "issuedURL": followUp.issuedURL ?? false, "csrf": followUp.csrf ?? false, "courseId": courseId,
        ]
    }

    /// "Invitation" or "Reminder 2".
    func messageKind(_ message: CourseFollowUp.Message, _ language: Language) -> String {
        message.number == 0
            ? catalogue.text("messageInvitation", language) : catalogue.text("messageReminder", language, ["number": "\(message.number)"])
    }

    /// The message's state with its time: "Sent 2026-12-01 09:30".
    func messageState(_ message: CourseFollowUp.Message, _ language: Language) -> String {
        catalogue.text("messageState_" + message.state, language) + " " + Self.moment(message.when)
    }
}

extension Pages.CourseFollowUp.Message {
    func channelLabel(_ catalogue: Catalogue, _ language: Language) -> String { catalogue.text("channel_" + channel, language) }
}
