/// The SQL vocabulary the tokenizer recognizes, and what kind of token each word makes.
///
/// Looked up by `wordHash` of the lower-cased bytes, so classifying a word builds no String.
enum SQLWord: UInt8 {
    case none
    // Set operations and queries.
    case union, select, all, distinct, from, `where`, order, group, by, having, limit, offset, into, outfile,
        dumpfile, procedure, analyse, values, `case`, when, then, `else`, end, `true`, `false`, null, `as`, table,
        database, schema, view, user, index, trigger, `set`, delay, time, dual, top
    // Statements that change data or run code.
    case drop, insert, update, delete, exec, execute, declare, shutdown, create, alter, truncate, waitfor, rename,
        grant, load
    // Functions an injection uses to stall, read files or leak through errors: one call is enough.
    case sleep, benchmark, pgSleep, loadFile, extractValue, updateXML, xpCmdshell, sysEval, randomBlob,
        dbmsPipe, utlInaddr, utlHttp, nameConst, geometryCollection, multiPoint, polygon, exp, jsonKeys
    // Functions that are only suspicious together with other SQL structure.
    case weakFunction
    // Catalogs an attacker enumerates.
    case catalog

    /// The token kind this word makes when it is not followed by `(`.
    var kind: SQLToken.Kind {
        switch self {
        case .none, .weakFunction, .catalog: return .bareword
        case .union: return .union
        case .select: return .select
        case .drop, .insert, .update, .delete, .exec, .execute, .declare, .shutdown, .create, .alter, .truncate,
            .waitfor, .rename, .grant, .load:
            return .statement
        case .sleep, .benchmark, .pgSleep, .loadFile, .extractValue, .updateXML, .xpCmdshell, .sysEval,
            .randomBlob, .dbmsPipe, .utlInaddr, .utlHttp, .nameConst, .geometryCollection, .multiPoint, .polygon,
            .exp, .jsonKeys:
            return .bareword
        default: return .keyword
        }
    }

    /// A function that an injection calls and ordinary text never does.
    var isStrongFunction: Bool {
        switch self {
        case .sleep, .benchmark, .pgSleep, .loadFile, .extractValue, .updateXML, .xpCmdshell, .sysEval,
            .randomBlob, .dbmsPipe, .utlInaddr, .utlHttp, .nameConst, .geometryCollection, .multiPoint, .polygon,
            .jsonKeys:
            return true
        default: return false
        }
    }

    var isFunctionName: Bool { isStrongFunction || self == .weakFunction || self == .exp || self == .user }

    /// Words that are operators rather than keywords.
    static func operatorKind(_ hash: UInt64) -> SQLToken.Kind? { operatorTable[hash] }

    static func lookUp(_ hash: UInt64) -> SQLWord { vocabularyTable[hash] ?? .none }

    private static let operatorTable = HashedWordTable(operatorWords)
    private static let vocabularyTable = HashedWordTable(vocabulary)

    private static let operatorWords: [UInt64: SQLToken.Kind] = {
        var words: [UInt64: SQLToken.Kind] = [:]
        for word in ["and", "or", "xor"] { words[wordHash(word)] = .logic }
        for word in ["like", "rlike", "regexp", "is", "in", "between", "sounds", "glob", "match", "ilike"] {
            words[wordHash(word)] = .comparison
        }
        for word in ["not", "div", "mod", "collate", "binary", "escape"] { words[wordHash(word)] = .operator }
        return words
    }()

    private static let vocabulary: [UInt64: SQLWord] = {
        var words: [UInt64: SQLWord] = [:]
        let named: [(String, SQLWord)] = [
            ("union", .union), ("select", .select), ("all", .all), ("distinct", .distinct), ("from", .from),
            ("where", .where), ("order", .order), ("group", .group), ("by", .by), ("having", .having),
            ("limit", .limit), ("offset", .offset), ("into", .into), ("outfile", .outfile), ("dumpfile", .dumpfile),
            ("procedure", .procedure), ("analyse", .analyse), ("values", .values), ("case", .case), ("when", .when),
            ("then", .then), ("else", .else), ("end", .end), ("true", .true), ("false", .false), ("null", .null),
            ("as", .as), ("table", .table), ("database", .database), ("schema", .schema), ("view", .view),
            ("user", .user), ("index", .index), ("trigger", .trigger), ("set", .set), ("delay", .delay),
            ("time", .time), ("dual", .dual), ("top", .top),
            ("drop", .drop), ("insert", .insert), ("update", .update), ("delete", .delete), ("exec", .exec),
            ("execute", .execute), ("declare", .declare), ("shutdown", .shutdown), ("create", .create),
            ("alter", .alter), ("truncate", .truncate), ("waitfor", .waitfor), ("rename", .rename),
            ("grant", .grant), ("load", .load),
            ("sleep", .sleep), ("benchmark", .benchmark), ("pg_sleep", .pgSleep), ("load_file", .loadFile),
            ("extractvalue", .extractValue), ("updatexml", .updateXML), ("xp_cmdshell", .xpCmdshell),
            ("sys_eval", .sysEval), ("sys_exec", .sysEval), ("randomblob", .randomBlob), ("dbms_pipe", .dbmsPipe),
            ("dbms_lock", .dbmsPipe), ("utl_inaddr", .utlInaddr), ("utl_http", .utlHttp), ("name_const", .nameConst),
            ("geometrycollection", .geometryCollection), ("multipoint", .multiPoint), ("polygon", .polygon),
            ("exp", .exp), ("json_keys", .jsonKeys), ("sp_executesql", .xpCmdshell), ("sp_oacreate", .xpCmdshell),
            ("sp_password", .xpCmdshell), ("xp_dirtree", .xpCmdshell), ("xp_regread", .xpCmdshell),
            ("ctxsys", .dbmsPipe), ("dbms_xmlgen", .dbmsPipe), ("dbms_utility", .dbmsPipe),
        ]
        for (text, word) in named { words[wordHash(text)] = word }
        let weakFunctions = [
            "char", "chr", "concat", "concat_ws", "group_concat", "version", "database", "current_user",
            "system_user", "session_user", "schema", "ascii", "ord", "substring", "substr", "mid", "left", "right",
            "if", "ifnull", "iif", "nullif", "cast", "convert", "hex", "unhex", "md5", "sha1", "rand", "floor",
            "count", "length", "len", "coalesce", "lower", "upper", "instr", "locate", "elt", "row_count", "bin",
            "conv", "db_name", "user_name", "host_name", "make_set", "char_length", "position", "strcmp", "trim",
            "reverse", "replace", "lpad", "rpad", "isnull", "uuid", "now", "sysdate", "current_database",
            "string_agg", "array_agg", "xmltype", "to_char", "nchar", "unicode", "quotename", "waitfor",
            "getdate", "@@version", "soundex", "space", "repeat", "least", "greatest", "abs", "sum", "min", "max",
            "avg", "char_length", "octet_length", "bit_length", "export_set", "row", "exists",
        ]
        for text in weakFunctions where words[wordHash(text)] == nil { words[wordHash(text)] = .weakFunction }
        let catalogs = [
            "information_schema", "sysobjects", "syscolumns", "sysusers", "mysql.user", "pg_catalog", "pg_shadow",
            "pg_user", "sqlite_master", "sqlite_schema", "all_tables", "all_users", "user_tables", "sys.tables",
            "sys.objects", "sys.databases", "master.dbo", "msysobjects", "information_schema.tables",
            "information_schema.columns", "information_schema.schemata", "pg_tables", "master..sysdatabases",
        ]
        for text in catalogs { words[wordHash(text)] = .catalog }
        return words
    }()
}

/// A read-only map from `wordHash` values to `Value`, with open addressing: the keys already
/// are 64-bit hashes, so a lookup is one multiply, a shift and (almost always) one probe,
/// where a `Dictionary` would hash the hash again with SipHash on every word of every value.
///
/// Invariant: at most half full, so a probe sequence always ends at an empty slot.
struct HashedWordTable<Value: Sendable>: Sendable {
    private let keys: [UInt64]
    private let values: [Value?]
    private let shift: UInt64

    init(_ entries: [UInt64: Value]) {
        var bits: UInt64 = 4
        while (1 << bits) < 2 * max(entries.count, 1) { bits += 1 }
        var keys = [UInt64](repeating: 0, count: 1 << bits)
        var values = [Value?](repeating: nil, count: 1 << bits)
        let mask = (1 << Int(bits)) - 1
        for (key, value) in entries {
            var slot = Self.slot(key, shift: 64 - bits)
            while values[slot] != nil { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
        self.keys = keys
        self.values = values
        self.shift = 64 - bits
    }

    @inline(__always)
    private static func slot(_ key: UInt64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    subscript(_ key: UInt64) -> Value? {
        let mask = keys.count - 1
        var slot = Self.slot(key, shift: shift)
        while let value = values[slot] {
            if keys[slot] == key { return value }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
