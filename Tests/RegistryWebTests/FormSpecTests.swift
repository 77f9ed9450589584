import Foundation
import RegistryCore
import Testing

@testable import RegistryWeb

/// A form's typed text becomes the API's JSON, and a record's JSON becomes typed text again.
@Suite struct FormSpecTests {
    let taipei = TimeZone(identifier: "Asia/Taipei")!

    func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func numbersAndYesNoAreParsedAndBlanksAndUntouchedSectionsAreLeftOut() throws {
        let json = try object(
            try FormSpec.findings.json(
                [
                    "recordedOn": "2026-03-01", "screening.painOverThreeMonths": "yes", "screening.imagingMildOnly": "no",
                    "ultrasound.nerveCsaMm2": " 4.25 ", "examination.triggerPoint": "",
                ], clinicZone: taipei))
        #expect(json["recordedOn"] as? String == "2026-03-01" && json["examination"] == nil)
        let screening = try #require(json["screening"] as? [String: Any])
        #expect(screening["painOverThreeMonths"] as? Bool == true && screening["imagingMildOnly"] as? Bool == false && screening.count == 2)
        #expect((json["ultrasound"] as? [String: Any])?["nerveCsaMm2"] as? Double == 4.25)
    }

    @Test func textInANumberFieldIsATypeProblemOnThatField() {
        #expect(throws: ValidationFailure([FieldProblem(field: "procedures[0].volumeMl", rule: "type", message: "must be a number such as 2.5")])) {
            _ = try FormSpec.session.json(
                ["sessionOn": "2026-03-01", "procedures[0].kind": "prp", "procedures[0].volumeMl": "ten"], clinicZone: taipei)
        }
        #expect(
            throws: ValidationFailure([
                FieldProblem(field: "nrs", rule: "type", message: "must be a whole number"),
                FieldProblem(field: "pgic", rule: "type", message: "must be a whole number"),
            ])
        ) {
            _ = try FormSpec.painScore.json(["nrs": "seven", "pgic": "2.5"], clinicZone: taipei)
        }
    }

    @Test func procedureRowsLeftEmptyAtTheEndAreDroppedAndAGapIsKept() throws {
        let one = try object(
            try FormSpec.session.json(["sessionOn": "2026-03-01", "procedures[0].kind": "prp", "procedures[0].volumeMl": "4"], clinicZone: taipei))
        #expect((one["procedures"] as? [[String: Any]])?.count == 1)
        // Row 2 filled, row 1 empty: row 1 is sent empty, so its problems name row 1, not row 2.
        let gap = try object(try FormSpec.session.json(["sessionOn": "2026-03-01", "procedures[1].kind": "prp"], clinicZone: taipei))
        let rows = try #require(gap["procedures"] as? [[String: Any]])
        #expect(rows.count == 2 && rows[0].isEmpty && rows[1]["kind"] as? String == "prp")
    }

    @Test func aCorrectionSendsClearedFieldsAsNull() throws {
        let json = try object(
            try FormSpec.painScore.json(
                ["nrs": "4", "recordedOn": "2026-03-01", "timepoint": "follow_up", "odi": ""], clinicZone: taipei,
                blanksAsNull: true))
        #expect(json["odi"] is NSNull && json["pgic"] is NSNull && json["nrs"] as? Int == 4)
    }

    @Test func aBlockTimeIsTheClinicsClockBothWays() throws {
        let json = try object(try FormSpec.block.json(["performedAt": "2026-03-01T09:30"], clinicZone: taipei))
        #expect(json["performedAt"] as? String == "2026-03-01T01:30:00Z")
        let typed = FormSpec.block.typed(fromRecord: ["performedAt": "2026-03-01T01:30:00.000Z", "nrsBefore": 8, "side": "left"], clinicZone: taipei)
        #expect(typed == ["performedAt": "2026-03-01T09:30", "nrsBefore": "8", "side": "left"])
    }

    @Test func aFindingRecordFillsItsSectionsFields() {
        let typed = FormSpec.findings.typed(fromRecord: ["recordedOn": "2026-03-01", "flattening": true, "nerveCsaMm2": 4.25], clinicZone: taipei)
        #expect(typed["ultrasound.flattening"] == "yes" && typed["ultrasound.nerveCsaMm2"] == "4.25" && typed["recordedOn"] == "2026-03-01")
    }

    @Test func escapingChangesOnlyWhatHTMLNeeds() {
        let escaping = HTMLEscaping()
        #expect(escaping.escapeText(#"<b a="1">Tom & Jerry's</b>"#) == "&lt;b a=&quot;1&quot;&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;")
        #expect(escaping.escapeText("上臀皮神經卡壓 · NRS 8 → 3") == "上臀皮神經卡壓 · NRS 8 → 3")
    }
}
