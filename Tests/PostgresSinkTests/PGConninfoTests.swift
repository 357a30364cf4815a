import PostgresSink
import Testing

/// `PGConninfo` parses with libpq and never shows a password. No server needed.
@Suite struct PGConninfoTests {
    @Test func keyValueForm() throws {
        let info = try PGConninfo(
            "host=db1.example port=6543 dbname=logs user=alice password=hunter2 sslmode=require connect_timeout=10"
        )
        #expect(info.host == "db1.example")
        #expect(info.port == "6543")
        #expect(info.dbname == "logs")
        #expect(info.user == "alice")
        #expect(info.password == "hunter2")
        #expect(info.otherValues == ["sslmode": "require", "connect_timeout": "10"])
        #expect(info.values.count == 7)
        #expect(info.secretKeys == ["password"])
    }

    @Test func urlForm() throws {
        let info = try PGConninfo(
            "postgresql://alice:s%40cr%20et@db1.example:6543/logs?sslmode=require&application_name=edge%20log"
        )
        #expect(info.host == "db1.example")
        #expect(info.port == "6543")
        #expect(info.dbname == "logs")
        #expect(info.user == "alice")
        #expect(info.password == "s@cr et")
        #expect(info.otherValues == ["sslmode": "require", "application_name": "edge log"])
    }

    @Test func quotedValuesAreUnquoted() throws {
        let info = try PGConninfo(#"dbname='my db' password='it\'s \\ secret' user=bob"#)
        #expect(info.dbname == "my db")
        #expect(info.password == #"it's \ secret"#)
    }

    @Test func onlyWhatTheStringSaysNoDefaults() throws {
        let info = try PGConninfo("dbname=only")
        #expect(info.values == ["dbname": "only"])
        #expect(info.host == nil)
        #expect(info.password == nil)
    }

    @Test func redactedHidesThePasswordAndKeepsOrder() throws {
        let info = try PGConninfo("password=hunter2 user=u dbname=d port=5432 host=h sslmode=verify-full")
        #expect(info.redacted == "host=h port=5432 dbname=d user=u sslmode=verify-full password=<redacted>")
        #expect(info.description == info.redacted)
        #expect(!"\(info)".contains("hunter2"))
        #expect(!String(reflecting: info).contains("hunter2"))
    }

    @Test func redactedSaysNothingAboutAnAbsentPassword() throws {
        let info = try PGConninfo("postgresql://u@h:5432/d")
        #expect(info.redacted == "host=h port=5432 dbname=d user=u")
    }

    @Test func redactedHidesEverySecretOptionAndQuotesValues() throws {
        let info = try PGConninfo("host=h sslpassword=keypass application_name='a b' password=pw")
        #expect(info.secretKeys == ["password", "sslpassword"])
        #expect(info.redacted == "host=h application_name='a b' password=<redacted> sslpassword=<redacted>")
    }

    @Test func redactedIsAValidConninfoWithoutTheSecret() throws {
        let original = try PGConninfo(#"host=h dbname='we\'ird db' user=u password=pw"#)
        let reparsed = try PGConninfo(original.redacted)
        #expect(reparsed.dbname == #"we'ird db"#)
        #expect(reparsed.password == "<redacted>")
    }

    @Test func parseErrorWithoutSecretsIsLibpqsMessage() throws {
        let error = try #require(throws: PGConninfoError.self) { try PGConninfo("host=h bogus") }
        guard case .unparseable(let message) = error else {
            Issue.record("expected .unparseable, got \(error)")
            return
        }
        #expect(message.contains("bogus"))
        #expect(!message.hasSuffix("\n"))
    }

    @Test func unknownOptionIsNamed() throws {
        let error = try #require(throws: PGConninfoError.self) { try PGConninfo("host=h sslmdoe=require") }
        #expect("\(error)".contains("sslmdoe"))
    }

    /// libpq quotes the token it choked on; after `password=a b` that token is the password's tail.
    @Test func parseErrorDoesNotEchoAPasswordToken() throws {
        let error = try #require(throws: PGConninfoError.self) {
            try PGConninfo("host=h password=first secondhalf")
        }
        #expect(!"\(error)".contains("secondhalf"))
        #expect("\(error)".contains("<redacted>"))
    }

    /// For URIs libpq quotes the whole URI, user info included.
    @Test(arguments: [
        "postgresql://alice:topsecret%zz@h/db",
        "postgresql://alice:top\"secret%zz@h/db",
        "postgresql://alice:topsecret@[::1/db",
        "postgresql://alice:topsecret@h/db?sslmode",
    ])
    func uriParseErrorDoesNotEchoTheUserInfo(uri: String) throws {
        let error = try #require(throws: PGConninfoError.self) { try PGConninfo(uri) }
        let text = "\(error)"
        #expect(!text.contains("topsecret"))
        #expect(!text.contains("secret"))
        #expect(text.contains("invalid connection string"))
    }

    @Test func nulIsRejected() throws {
        let error = try #require(throws: PGConninfoError.self) { try PGConninfo("host=h\u{0} password=x") }
        #expect(error == .containsNul)
    }
}
