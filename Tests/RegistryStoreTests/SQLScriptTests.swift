import RegistryStore
import Testing

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesBodiesAndComments() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'it''s; fine');
            /* block; comment */
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'no; way'; END
            $$;
            SELECT $tag$ ; $tag$, "odd;name" FROM a;
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 3)
        #expect(statements[0] == "CREATE TABLE a (x text DEFAULT 'it''s; fine')")
        #expect(statements[1].hasSuffix("END\n$$"))
        #expect(statements[2] == "SELECT $tag$ ; $tag$, \"odd;name\" FROM a")
    }

    @Test func placeholdersAreNotDollarQuotes() {
        #expect(SQLScript.statements("SELECT $1; SELECT $2").count == 2)
    }
}
