import Foundation

/// Splits a migration file into single statements.
///
/// postgres-nio speaks only the extended protocol, which runs one statement per query. The
/// splitter honours single-quoted strings, double-quoted identifiers, `$tag$` bodies and both
/// comment styles, so a `;` inside any of them never ends a statement.
public enum SQLScript {
    public static func statements(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        let characters = Array(script)
        var index = 0

        func flush() {
            let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { statements.append(trimmed) }
            current = ""
        }

        func starts(_ text: String, at position: Int) -> Bool {
            let needle = Array(text)
            guard position + needle.count <= characters.count else { return false }
            return Array(characters[position..<position + needle.count]) == needle
        }

        while index < characters.count {
            let character = characters[index]
            if starts("--", at: index) {
                while index < characters.count, characters[index] != "\n" { index += 1 }
                continue
            }
            if starts("/*", at: index) {
                index += 2
                while index < characters.count, !starts("*/", at: index) { index += 1 }
                index += 2
                continue
            }
            if character == "'" || character == "\"" {
                current.append(character)
                index += 1
                while index < characters.count {
                    current.append(characters[index])
                    if characters[index] == character {
                        // A doubled quote is an escaped quote, not the end.
                        if index + 1 < characters.count, characters[index + 1] == character {
                            current.append(character)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    index += 1
                }
                continue
            }
            if character == "$", let tag = dollarTag(characters, at: index) {
                current += tag
                index += tag.count
                while index < characters.count, !starts(tag, at: index) {
                    current.append(characters[index])
                    index += 1
                }
                if index < characters.count {
                    current += tag
                    index += tag.count
                }
                continue
            }
            if character == ";" {
                flush()
                index += 1
                continue
            }
            current.append(character)
            index += 1
        }
        flush()
        return statements
    }

    /// `$$` or `$name$` starting at `position`, if one does.
    private static func dollarTag(_ characters: [Character], at position: Int) -> String? {
        var end = position + 1
        while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" {
            end += 1
        }
        guard end < characters.count, characters[end] == "$" else { return nil }
        if end > position + 1, characters[position + 1].isNumber { return nil }  // $1 is a parameter
        return String(characters[position...end])
    }
}
