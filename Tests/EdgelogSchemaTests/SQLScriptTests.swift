import EdgelogSchema
import Testing

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsAndTrims() {
        #expect(SQLScript.statements(in: "SELECT 1;\n  SELECT 2 ;\nSELECT 3") == ["SELECT 1", "SELECT 2", "SELECT 3"])
    }

    @Test func semicolonsInsideQuotesAndCommentsDoNotSplit() {
        let script = """
            INSERT INTO t VALUES ('a;b', 'it''s; fine');
            SELECT "odd;name" FROM t; -- a comment; with a semicolon
            /* block; /* nested; */ still comment; */ SELECT 2;
            """
        #expect(
            SQLScript.statements(in: script) == [
                "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
                "SELECT \"odd;name\" FROM t",
                "-- a comment; with a semicolon\n/* block; /* nested; */ still comment; */ SELECT 2",
            ]
        )
    }

    @Test func dollarQuotedBodiesAreOneStatement() {
        let script = """
            CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $function$
            BEGIN
                PERFORM 1; PERFORM $$x;y$$;
            END
            $function$;
            DO $$ BEGIN PERFORM 2; END $$;
            SELECT $1::int;
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 3)
        #expect(statements.first?.hasSuffix("$function$") == true)
        #expect(statements.dropFirst().first == "DO $$ BEGIN PERFORM 2; END $$")
        #expect(statements.last == "SELECT $1::int")
    }

    @Test func commentOnlyPiecesAreDropped() {
        #expect(SQLScript.statements(in: "-- only a comment\n;\n/* and another */;  ;") == [])
        #expect(SQLScript.statements(in: "") == [])
    }

    @Test func unterminatedQuoteRunsToTheEnd() {
        #expect(SQLScript.statements(in: "SELECT 'a;b") == ["SELECT 'a;b"])
    }
}
