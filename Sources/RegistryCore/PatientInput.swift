import Foundation

/// A new patient as posted: identity fields, which are stored apart from clinical data.
public struct PatientInput: Codable, Sendable {
    public var siteId: UUID?
    public var mrn: String?
    public var familyName: String?
    public var givenName: String?
    public var dateOfBirth: String?
    public var sex: String?
    public var phone: String?
    public var email: String?

    public init(
        siteId: UUID? = nil, mrn: String? = nil, familyName: String? = nil, givenName: String? = nil,
        dateOfBirth: String? = nil, sex: String? = nil, phone: String? = nil, email: String? = nil
    ) {
        self.siteId = siteId
        self.mrn = mrn
        self.familyName = familyName
        self.givenName = givenName
        self.dateOfBirth = dateOfBirth
        self.sex = sex
        self.phone = phone
        self.email = email
    }

    public func validated(_ context: ValidationContext) throws(ValidationFailure) -> NewPatient {
        var v = Validator()
        let siteId = v.required(siteId, "siteId")
        let mrn = v.pattern(mrn, "mrn", regex: "[A-Za-z0-9-]{1,32}", explanation: "must be 1 to 32 letters, digits or hyphens")
        let familyName = v.name(familyName, "familyName", maxLength: TextLimit.name)
        let givenName = v.name(givenName, "givenName", maxLength: TextLimit.name)
        let dateOfBirth = v.date(dateOfBirth, "dateOfBirth", notAfter: context.today)
        let sex = v.coded(sex, "sex", as: Sex.self)
        let phone = v.text(phone, "phone", maxLength: 40)
        var email = v.text(email, "email", maxLength: 254)
        if let address = email, address.range(of: "^[^@\\s]+@[^@\\s]+$", options: .regularExpression) == nil {
            v.fail("email", "format", "must be an e-mail address")
            email = nil
        }
        return try v.finish {
            NewPatient(
                siteId: siteId!, mrn: mrn!, familyName: familyName!, givenName: givenName!,
                dateOfBirth: dateOfBirth!, sex: sex!, phone: phone, email: email)
        }
    }
}

public struct NewPatient: Sendable, Equatable {
    public let siteId: UUID
    public let mrn: String
    public let familyName: String
    public let givenName: String
    public let dateOfBirth: CalendarDate
    public let sex: Sex
    public let phone: String?
    public let email: String?

    public init(siteId: UUID, mrn: String, familyName: String, givenName: String, dateOfBirth: CalendarDate, sex: Sex, phone: String?, email: String?)
    {
        self.siteId = siteId
        self.mrn = mrn
        self.familyName = familyName
        self.givenName = givenName
        self.dateOfBirth = dateOfBirth
        self.sex = sex
        self.phone = phone
        self.email = email
    }
}
