import Foundation
import RegistryAnalytics
import RegistryWeb
import Testing

@Suite struct CatalogueTests {
    @Test func everyKeyExistsInEveryLanguage() throws {
        let catalogue = try Catalogue()
        let english = Set(try #require(catalogue.strings[.en]).keys)
        let chinese = Set(try #require(catalogue.strings[.zhTW]).keys)
        #expect(english.subtracting(chinese).isEmpty, "missing in zh-TW: \(english.subtracting(chinese).sorted())")
        // The methods' English is the report's own (OutcomeReport.Methods); zh-TW translates each of them.
        let translated = chinese.filter { $0.hasPrefix("method_") || $0.hasPrefix("methodName_") }
        #expect(chinese.subtracting(english).subtracting(translated).isEmpty, "missing in en: \(chinese.subtracting(english).sorted())")
        let methods = OutcomeReport.Methods().named.map(\.0)
        #expect(Set(methods.flatMap { ["method_" + $0, "methodName_" + $0] }) == translated, "every method translated, none left over")
        #expect(english.count > 5)
    }

    @Test func acceptLanguagePicksTraditionalChineseOrEnglish() {
        #expect(Language.preferred(acceptLanguage: "zh-TW,zh;q=0.9,en;q=0.8") == .zhTW)
        #expect(Language.preferred(acceptLanguage: "en-GB,en;q=0.9") == .en)
        #expect(Language.preferred(acceptLanguage: "fr;q=0.9, en;q=0.5, zh;q=0.7") == .zhTW)
        #expect(Language.preferred(acceptLanguage: "de") == .zhTW)
        #expect(Language.preferred(acceptLanguage: nil) == .zhTW)
    }

    @Test func theSignInPageSpeaksEachLanguageAndEscapesWhatWasTyped() throws {
        let pages = try Pages()
        let chinese = try pages.login(.zhTW)
        #expect(chinese.contains("<html lang=\"zh-TW\">") && chinese.contains("登入") && chinese.contains("name=\"password\""))
        #expect(!chinese.contains("role=\"alert\"") && !chinese.contains("nil"))
        let english = try pages.login(.en, username: "<b>x</b>", error: "Wrong username or password.")
        #expect(english.contains("Sign in") && english.contains("Wrong username or password.") && english.contains("role=\"alert\""))
        #expect(english.contains("&lt;b&gt;x&lt;/b&gt;") && !english.contains("<b>x</b>"))
    }
}
