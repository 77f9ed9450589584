import Foundation
import RegistryCore

/// The clinic's forms, field for field the API's inputs (see `PatientInput`, `CourseInput`,
/// `BlockInput`, `SessionInput`, `PainScoreInput`, `CourseEventInput`, `FindingsInput`).
extension FormSpec {
    /// `sites` are the ones the user may register at.
    public static func patient(sites: [(value: String, label: String)]) -> FormSpec {
        FormSpec(
            titleKey: "registerPatient",
            groups: [
                FormGroup(fields: [
                    FormField("siteId", "site", .select(sites)),
                    FormField("mrn", "mrn", .text(maxLength: 32), hint: "mrnHint"),
                    FormField("familyName", "familyName", .text(maxLength: TextLimit.name)),
                    FormField("givenName", "givenName", .text(maxLength: TextLimit.name)),
                    FormField("dateOfBirth", "dateOfBirth", .date),
                    FormField("sex", "sex", .choice(Sex.allowed, labelPrefix: "sex_")),
                    FormField("phone", "phoneOptional", .text(maxLength: 40)),
                    FormField("email", "emailOptional", .text(maxLength: 254)),
                ])
            ])
    }

    public static func course(sites: [(value: String, label: String)], clinicians: [(value: String, label: String)]) -> FormSpec {
        FormSpec(
            titleKey: "openCourse",
            groups: [
                FormGroup(fields: [
                    FormField("patientId", "patient", .hidden),
                    FormField("siteId", "site", .select(sites)),
                    FormField("clinicianId", "clinician", .select(clinicians)),
                    FormField("side", "side", .choice(Side.allowed, labelPrefix: "side_")),
                    FormField("icd10", "icd10", .text(maxLength: 8), hint: "icd10Hint"),
                    FormField("startedOn", "started", .date),
                    FormField("symptomOnset", "symptomOnset", .date),
                    FormField("notes", "notes", .notes),
                ])
            ])
    }

    public static let block = FormSpec(
        titleKey: "addBlock",
        groups: [
            FormGroup(fields: [
                FormField("performedAt", "performedAt", .dateTime),
                FormField("side", "side", .choice(Side.allowed, labelPrefix: "side_")),
                FormField("agent", "agent", .choice(BlockAgent.allowed, labelPrefix: "agent_")),
                FormField("volumeMl", "volumeMl", .decimal(maximum: BlockInput.maximumVolumeMl, step: "0.1")),
                FormField("nrsBefore", "nrsBefore", .scale),
                FormField("nrsAfter", "nrsAfter", .scale),
                FormField("assessedMinutesAfter", "assessedMinutesAfter", .integer(0...240), hint: "assessedHint"),
            ])
        ])

    /// Three procedure rows; rows left empty are not sent.
    public static let session = FormSpec(
        titleKey: "addSession",
        groups: [
            FormGroup(fields: [FormField("sessionOn", "sessionOn", .date), FormField("notes", "notes", .notes)])
        ]
            + (0..<3).map { index in
                let path = "procedures[\(index)]."
                return FormGroup(
                    legendKey: "procedure\(index + 1)",
                    fields: [
                        FormField(path + "kind", "procedureKind", .menu(ProcedureKind.allowed, labelPrefix: "")),
                        FormField(path + "injectate", "injectate", .menu(Injectate.allowed, labelPrefix: "injectate_")),
                        FormField(path + "volumeMl", "volumeMl", .decimal(maximum: 60, step: "0.5")),
                        FormField(path + "leukocytes", "leukocytes", .menu(Leukocytes.allowed, labelPrefix: "leukocytes_")),
                        FormField(path + "dextrosePercent", "dextrosePercent", .decimal(maximum: 50, step: "0.5")),
                    ],
                    kinds: [
                        path + "injectate": ["hydrodissection"], path + "volumeMl": ["hydrodissection", "prp", "dextrose"],
                        path + "leukocytes": ["prp"], path + "dextrosePercent": ["dextrose"],
                    ])
            })

    public static let painScore = FormSpec(
        titleKey: "addPainScore",
        groups: [
            FormGroup(fields: [
                FormField("nrs", "nrsLegend", .scale, hint: "nrsHint"),
                FormField("recordedOn", "recordedOn", .date),
                FormField("timepoint", "timepoint", .choice(Timepoint.allowed, labelPrefix: "timepoint_")),
                FormField("odi", "odi", .integer(0...100)),
                FormField("pgic", "pgic", .integer(1...7)),
            ])
        ])

    public static let event = FormSpec(
        titleKey: "addEvent",
        groups: [
            FormGroup(fields: [
                FormField("kind", "eventKind", .choice(CourseEventKind.allowed, labelPrefix: "event_")),
                FormField("occurredOn", "occurredOn", .date),
                FormField("note", "notes", .notes),
            ])
        ])

    /// Screening, examination and ultrasound: a section left blank is not sent; one begun must be finished.
    public static let findings = FormSpec(
        titleKey: "addFindings",
        groups: [
            FormGroup(fields: [FormField("recordedOn", "recordedOn", .date)]),
            FormGroup(
                legendKey: "finding_screening",
                fields: [
                    "painOverThreeMonths", "imagingMildOnly", "painAtIliacCrest", "worseUprightEasedLying",
                    "psisPressureReproduces", "physiotherapyRelapse",
                ].map { FormField("screening." + $0, "q_" + $0, .yesNo) }),
            FormGroup(
                legendKey: "finding_examination",
                fields: [
                    FormField("examination.triggerPoint", "q_triggerPoint", .yesNo),
                    FormField("examination.triggerPointDistanceCm", "q_triggerPointDistanceCm", .decimal(maximum: 20, step: "0.1")),
                ]
                    + [
                        "lateralBendingPositive", "pelvicRotationPositive", "singleLegStancePositive", "straightLegRaisePositive", "strengthNormal",
                        "reflexesNormal",
                    ]
                    .map { FormField("examination." + $0, "q_" + $0, .yesNo) }),
            FormGroup(
                legendKey: "finding_ultrasound",
                fields: [
                    FormField("ultrasound.nerveCsaMm2", "q_nerveCsaMm2", .decimal(maximum: 50, step: "0.01")),
                    FormField("ultrasound.flattening", "q_flattening", .yesNo),
                    FormField("ultrasound.restrictedGliding", "q_restrictedGliding", .yesNo),
                    FormField("ultrasound.fasciaThicknessMm", "q_fasciaThicknessMm", .decimal(maximum: 30, step: "0.1")),
                    FormField("ultrasound.fasciaAdhesion", "q_fasciaAdhesion", .yesNo),
                    FormField("ultrasound.tunnelNarrowing", "q_tunnelNarrowing", .yesNo),
                ]),
        ])

    /// A patient's consent to follow-up messages (`ContactInput`): up to two channels in order of preference.
    public static let contact = FormSpec(
        titleKey: "contactTitle",
        groups: [
            FormGroup(fields: [
                FormField("channels[0]", "contactFirstChannel", .menu(ContactChannel.allowed, labelPrefix: "channel_")),
                FormField("channels[1]", "contactSecondChannel", .menu(ContactChannel.allowed, labelPrefix: "channel_"), hint: "contactSecondHint"),
                FormField("lineUserId", "lineUserId", .text(maxLength: 33), hint: "lineUserIdHint"),
                FormField("consentedOn", "consentedOn", .date),
                FormField("consentHow", "consentHow", .choice(ConsentHow.allowed, labelPrefix: "consentHow_")),
            ])
        ])

    public static let void = FormSpec(titleKey: "voidRecord", groups: [FormGroup(fields: [FormField("reason", "voidReason", .notes)])])

    /// The form of each course record, by its route segment.
    public static let courseRecords: [String: FormSpec] = [
        "blocks": block, "sessions": session, "pain-scores": painScore, "events": event, "findings": findings,
    ]
}
