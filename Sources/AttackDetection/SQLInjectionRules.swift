/// Decides whether a value's SQL tokens, read in one context, form an injection.
///
/// Each rule names a shape that is valid SQL *and* changes the application's query, and that
/// ordinary text does not take: `union select`, a tautology after a breakout (`' or 'a'='a`),
/// a stacked statement (`; drop table`), a stalling or file-reading function call, a
/// subquery, a comment that cuts the application's query right after a breakout. Search
/// words (`union station`, `select chair`, `drop shipping`), names (`o'reilly`), arithmetic
/// (`1-2`) and e-mail addresses take none of these shapes.
enum SQLInjectionRules {
    /// True if `tokens` (from `SQLTokenizer` in `context`) is an injection. `plainPrefix`: the
    /// bytes before the breakout quote form one plain word (`admin`, `1`, nothing), as in an
    /// injection, not a phrase (`dress with hat 18';`); the weaker rules need it.
    static func isInjection(_ tokens: UnsafeBufferPointer<SQLToken>, context: SQLTokenizer.Context, plainPrefix: Bool = true) -> Bool {
        let count = tokens.count
        guard count > 0 else { return false }
        // In a quote context the value must close the application's string to do anything.
        let brokeOut: Bool
        if context == .asIs {
            brokeOut = tokens[0].kind == .number || tokens[0].kind == .closeParen
        } else {
            guard tokens[0].flag, count > 1 else { return false }
            brokeOut = true
        }
        if anywhere(tokens) { return true }
        let quoted = context != .asIs
        if brokeOut, afterBreakout(tokens, quoted: quoted, plainPrefix: plainPrefix) { return true }
        if parenthesizedThenComment(tokens, quoted: quoted, plainPrefix: plainPrefix) { return true }
        if !quoted, arithmeticThenComment(tokens) { return true }
        // `@version--`: a variable as the whole value, then the cut.
        if !quoted, count == 2, tokens[0].kind == .variable, tokens[1].kind == .comment, tokens[1].flag { return true }
        if quoted, plainPrefix, stringOperatorString(tokens) { return true }
        if quoted, plainPrefix, stringArithmetic(tokens) { return true }
        return booleanInjection(tokens, quoted: quoted, numericStart: brokeOut, plainPrefix: plainPrefix)
    }

    // MARK: - Rules that hold wherever they appear

    private static func anywhere(_ t: UnsafeBufferPointer<SQLToken>) -> Bool {
        let count = t.count
        for i in 0..<count {
            let token = t[i]
            switch token.kind {
            case .union:
                // union [all|distinct] [(] select
                var j = i + 1
                while j < count, t[j].word == .all || t[j].word == .distinct || t[j].kind == .openParen { j += 1 }
                // ... and then something other than a plain word or two ("union select committee").
                if j + 1 < count, t[j].kind == .select,
                    t[j + 1].kind != .bareword || j + 2 < count && t[j + 2].kind != .bareword
                {
                    return true
                }
                // `1 union select`, `-1 union all`, `1/1/**/union#--`: a probe that ends the
                // value (or the query, with a comment) right after a literal, not after a word
                // ("station union select", "european union").
                if i > 0, t[i - 1].isLiteral || t[i - 1].kind == .closeParen {
                    if j == count || j < count && t[j].kind == .select || j + 1 == count && t[j].kind == .comment {
                        return true
                    }
                }
            case .function where token.word.isStrongFunction:
                // `sleep(5)` as a value or expression; not "sleep(5) minutes".
                if let after = tokenAfterCall(t, at: i), t[after].kind == .bareword { break }
                return true
            case .keyword where token.word == .having:
                // `id having (1 or 1)`: a HAVING clause over a tautology.
                if i + 5 < count, t[i + 1].kind == .openParen, t[i + 2].isLiteral, t[i + 3].kind == .logic,
                    t[i + 4].isLiteral, t[i + 5].kind == .closeParen
                {
                    return true
                }
            case .keyword where token.word == .case:
                // case when ... then: a conditional expression.
                var sawWhen = false
                for j in (i + 1)..<min(count, i + 12) {
                    if t[j].word == .when { sawWhen = true }
                    if t[j].word == .then, sawWhen { return true }
                }
            case .variable where token.flag:
                return true  // @@version, @@datadir
            case .semicolon:
                if stackedStatement(t, after: i) { return true }
            case .statement where token.word == .waitfor:
                if i + 1 < count, t[i + 1].word == .delay || t[i + 1].word == .time { return true }
            case .statement where token.word == .exec || token.word == .execute:
                // exec master..xp_cmdshell, exec('...'), exec @sql
                if i + 1 < count, t[i + 1].word.isStrongFunction || t[i + 1].kind == .variable
                    || t[i + 1].kind == .openParen && (i > 0 || i + 2 < count && t[i + 2].kind == .variable)
                    || t[i + 1].kind == .bareword && i + 2 < count && (t[i + 2].kind == .string || t[i + 2].kind == .variable)
                {
                    return true
                }
            case .statement where token.word == .declare:
                // `declare @s varchar(8000)`: a T-SQL variable declaration with a sized type,
                // wherever it starts (not "I declare @all winners").
                if i + 3 < count, t[i + 1].kind == .variable, t[i + 2].kind == .bareword, t[i + 3].kind == .openParen {
                    return true
                }
            case .statement where token.word == .update:
                // `21 update categories set title=...`: an UPDATE statement inside a value.
                if i + 4 < count, t[i + 1].kind == .bareword, t[i + 2].word == .set, t[i + 3].kind == .bareword,
                    t[i + 4].kind == .comparison
                {
                    return true
                }
            case .keyword where token.word == .into:
                if i + 1 < count, t[i + 1].word == .outfile || t[i + 1].word == .dumpfile { return true }
            case .openParen:
                // A subquery: `(select 1`, `(select *`, `(select user()`; not "(select one)".
                if i + 2 < count, t[i + 1].kind == .select, isSubqueryStart(t[i + 2]) { return true }
                // `(select id from users limit 1,1)`: a plain column list, then `from` a table
                // and SQL or the end after it.
                if i + 1 < count, t[i + 1].kind == .select, subqueryFrom(t, select: i + 1) { return true }
            case .select:
                if selectFrom(t, at: i) { return true }
            case .bareword where token.word.isStrongFunction && token.word != .exp:
                // xp_cmdshell 'dir' without parentheses.
                if i + 1 < count, t[i + 1].kind == .string { return true }
            case .bareword where token.word == .catalog:
                if i > 0, t[i - 1].word == .from { return true }
            default:
                break
            }
        }
        return false
    }

    /// After `( select` at `select`: up to four plain items (names, numbers, operators,
    /// commas), `from`, a name, and then the end of the value, `)`, `,`, a comment, or a clause
    /// keyword (`where`, `limit`, ...).
    private static func subqueryFrom(_ t: UnsafeBufferPointer<SQLToken>, select: Int) -> Bool {
        var j = select + 1
        while j < t.count, j <= select + 6 {
            switch t[j].kind {
            case .bareword, .number, .operator, .comma:
                j += 1
                continue
            case .keyword where t[j].word == .from:
                guard j > select + 1, j + 1 < t.count, t[j + 1].kind == .bareword else { return false }
                guard j + 2 < t.count else { return true }
                let after = t[j + 2]
                return after.kind == .closeParen || after.kind == .comma || after.kind == .comment
                    || after.kind == .keyword && (after.word == .limit || after.word == .where || after.word == .order || after.word == .group)
            default:
                return false
            }
        }
        return false
    }

    private static func isSubqueryStart(_ token: SQLToken) -> Bool {
        switch token.kind {
        case .number, .string, .function, .variable, .openParen, .operator: return true
        case .keyword: return token.word == .null || token.word == .distinct || token.word == .top || token.word == .case
        default: return false
        }
    }

    /// `select <list> from <table>` where the list or table is plainly SQL: `*`, a comma list,
    /// a function, a number or a catalog (`select * from users`, `select 1,2 from dual`),
    /// and `select <literal or function>` standing alone (`select @@version`, `select user()`).
    private static func selectFrom(_ t: UnsafeBufferPointer<SQLToken>, at index: Int) -> Bool {
        // A value that is `select @version ...` or `select char(0x66)`: a variable or a call
        // right after a leading select.
        if index == 0, t.count > 1, t[1].kind == .variable || t[1].kind == .function { return true }
        var sqlish = false
        var j = index + 1
        var firstItem = true
        // Parentheses inside the select list (`sin((1))`, `(2)`) do not end it.
        var depth = 0
        while j < t.count, j < index + 24 {
            let token = t[j]
            switch token.kind {
            case .openParen:
                depth += 1
                // `name(`: a call, known function or not (`select sin(1),2 from`).
                if j > index + 1, t[j - 1].kind == .bareword { sqlish = true }
            case .closeParen where depth > 0:
                depth -= 1
            case .comma, .function, .variable:
                sqlish = true
            case .operator, .number, .string:
                // `select *`, `select 1`, `select 'a'` as the first item; later, only with a list.
                if firstItem { sqlish = true }
            case .keyword where token.word == .from:
                if j + 1 < t.count, sqlish || t[j + 1].word == .catalog || t[j + 1].word == .dual { return true }
                return false
            case .keyword where token.word == .null || token.word == .distinct || token.word == .top || token.word == .case:
                sqlish = true
            case .comment, .semicolon, .closeParen:
                return sqlish && j > index + 1
            case .union, .select, .statement, .logic:
                return sqlish
            default:
                break
            }
            firstItem = false
            j += 1
        }
        return false
    }

    /// The index of the token after the call that starts at `index` (a function), if any.
    private static func tokenAfterCall(_ t: UnsafeBufferPointer<SQLToken>, at index: Int) -> Int? {
        var depth = 0
        var j = index + 1
        while j < t.count {
            if t[j].kind == .openParen { depth += 1 }
            if t[j].kind == .closeParen {
                depth -= 1
                if depth == 0 { return j + 1 < t.count ? j + 1 : nil }
            }
            j += 1
        }
        return nil
    }

    /// `( expression ) --`: a parenthesized expression that cuts the query after itself, from
    /// a number context or right after a breakout.
    private static func parenthesizedThenComment(_ t: UnsafeBufferPointer<SQLToken>, quoted: Bool, plainPrefix: Bool) -> Bool {
        let count = t.count
        guard count >= 4, t[count - 1].kind == .comment, t[count - 1].flag, t[count - 2].kind == .closeParen else { return false }
        if quoted { return plainPrefix }
        return t[0].kind == .openParen || t[0].kind == .number
    }

    /// `1*1--`, `1 - 2 /*`: a numeric value turned into arithmetic and cut with a comment; a
    /// number, one or more operator-number pairs, and the comment, nothing else.
    private static func arithmeticThenComment(_ t: UnsafeBufferPointer<SQLToken>) -> Bool {
        let count = t.count
        guard count >= 4, count % 2 == 0, t[0].kind == .number, t[count - 1].kind == .comment, t[count - 1].flag else {
            return false
        }
        var j = 1
        while j + 1 < count - 1 {
            guard t[j].kind == .operator, t[j + 1].kind == .number else { return false }
            j += 2
        }
        return true
    }

    /// `aa'^0 0='0`, `aa'|3!='4`, `aa'&(1)='aa`: right after the breakout an operator symbol,
    /// then an expression over numbers and names with a comparison in it, and a string opened
    /// at the end for the application's own closing quote. Prose puts a letter or a blank after
    /// an apostrophe; measurements (`1/4"-1/2" wide`, `4'+x+4'`) and a script-string breakout
    /// (`'-alert(1)-'`) have no comparison, and markup (`1"><img class="x`) has two in a row.
    private static func stringArithmetic(_ t: UnsafeBufferPointer<SQLToken>) -> Bool {
        let count = t.count
        // `"><img class="...`: markup, not arithmetic (two comparison symbols in a row).
        guard count >= 4, count <= 14, t[1].flag, t[1].kind == .operator || t[1].kind == .comparison,
            t[2].kind != .comparison, t[count - 1].kind == .string
        else { return false }
        var comparison = false
        for j in 2..<(count - 1) {
            switch t[j].kind {
            case .comparison:
                comparison = true
            case .number, .operator, .logic, .openParen, .closeParen, .bareword, .variable, .function:
                break
            case .keyword where t[j].isLiteral:
                break
            default:
                return false
            }
        }
        return comparison
    }

    /// `a'<<'b`, `' ^ '`, `x'+'y`, `'&&'`: the value closes the string, applies an operator
    /// and opens a string again — string arithmetic no text needs.
    private static func stringOperatorString(_ t: UnsafeBufferPointer<SQLToken>) -> Bool {
        var j = 1
        var sawOperator = false
        while j < t.count, j < 5 {
            let token = t[j]
            switch token.kind {
            case .operator where token.flag, .comparison where token.flag, .logic where token.flag:
                sawOperator = true
            case .string:
                // ... and the value ends there or goes on as SQL, not as words (`'-"8 track" player`).
                return sawOperator && (j + 1 >= t.count || t[j + 1].kind != .bareword)
            default:
                return false
            }
            j += 1
        }
        return false
    }

    /// After `;`: a statement that only makes sense as SQL.
    private static func stackedStatement(_ t: UnsafeBufferPointer<SQLToken>, after index: Int) -> Bool {
        var j = index + 1
        guard j < t.count else { return false }
        let first = t[j]
        j += 1
        let next = j < t.count ? t[j] : nil
        switch first.kind {
        case .select:
            guard let next else { return false }
            return next.kind != .bareword || (j + 1 < t.count && t[j + 1].word == .from)
        case .statement:
            switch first.word {
            case .drop, .create, .alter, .truncate, .rename:
                guard let next else { return false }
                switch next.word {
                case .table, .database, .schema, .view, .procedure, .user, .index, .trigger: return true
                default:
                    // `; drop members --`: a name and the cut.
                    return next.kind == .function || next.kind == .bareword && j + 1 < t.count && t[j + 1].kind == .comment
                }
            case .insert: return next?.word == .into
            case .delete:
                // `delete from`, `delete low_priority from`.
                return next?.word == .from || next?.kind == .bareword && j + 1 < t.count && t[j + 1].word == .from
            case .update: return j + 1 < t.count && next?.kind == .bareword && t[j + 1].word == .set
            case .shutdown: return next == nil || next?.kind == .comment || next?.kind == .semicolon
            case .exec, .execute:
                guard let next else { return false }
                switch next.kind {
                case .variable, .string, .openParen, .function: return true
                case .bareword:
                    return j + 1 >= t.count || t[j + 1].kind == .string || t[j + 1].kind == .comment || t[j + 1].kind == .variable
                default: return false
                }
            case .declare: return next?.kind == .variable
            case .waitfor: return next?.word == .delay || next?.word == .time
            case .grant, .load: return next != nil && next?.kind == .keyword
            default: return false
            }
        case .keyword where first.word == .set:
            return next?.kind == .variable
        case .function:
            return true
        default:
            return false
        }
    }

    // MARK: - Rules that need a breakout first

    /// `admin'--`, `x');--`, `' order by 3--`, `' having 1=1`, `'='`, `1 order by 5`.
    private static func afterBreakout(_ t: UnsafeBufferPointer<SQLToken>, quoted: Bool, plainPrefix: Bool) -> Bool {
        var j = 1
        while j < t.count, t[j].kind == .closeParen { j += 1 }
        guard j < t.count else { return false }
        let token = t[j]
        let following = j + 1 < t.count ? t[j + 1] : nil
        switch token.kind {
        case .keyword where token.word == .from:
            // `1) from users where ...`: the rest of the application's query rewritten.
            guard let following, following.kind == .bareword, j + 2 < t.count else { return false }
            let clause = t[j + 2].word
            return clause == .where || clause == .limit || clause == .order || clause == .group
        case .comment:
            // `admin'--`, `1'#`, `1/*`, `1)--`: a breakout, then nothing but the cut.
            return token.flag && (quoted ? plainPrefix : true)
        case .semicolon:
            return quoted && plainPrefix && (following == nil || following?.kind == .comment)
        case .keyword:
            switch token.word {
            case .order, .group:
                return following?.word == .by
            case .having, .procedure:
                return following != nil && following?.kind != .bareword
            case .limit:
                return quoted
            default:
                return false
            }
        case .comparison:
            guard quoted, token.flag, let following, following.isLiteral || following.kind == .function || following.kind == .openParen else {
                return false
            }
            // `'='`, `'=1--`, `x'='x`: what follows the comparison ends the value or the query.
            let after = j + 2 < t.count ? t[j + 2] : nil
            return after == nil || after?.kind == .comment || after?.kind == .logic
        case .operator:
            // `'||(select ...)`, `'+sleep(1)+'`, `'-0-'` are handled elsewhere; `' | 1=1` style:
            return quoted && following?.kind == .openParen && j + 2 < t.count && t[j + 2].kind == .select
        default:
            return false
        }
    }

    /// A logic operator followed by something that is plainly a condition: a comparison with
    /// a literal (`or 1=1`, `and 'a'='a`, `or x like '%`), a function (`and sleep(5)`,
    /// `and ascii(...)>1`), a subquery, or — after a breakout — a literal that ends the query
    /// (`' or 1--`, `' or 'x`).
    private static func booleanInjection(
        _ t: UnsafeBufferPointer<SQLToken>, quoted: Bool, numericStart: Bool, plainPrefix: Bool
    ) -> Bool {
        let count = t.count
        var i = 0
        while i < count {
            defer { i += 1 }
            guard t[i].kind == .logic else { continue }
            // Something must stand on the left: a literal, a name, or a closing parenthesis.
            // A value that starts with the operator (`and isnull(1/0)`) has its left side in
            // the application's query.
            let left = i > 0 ? t[i - 1] : SQLToken(kind: .closeParen)
            guard left.isLiteral || left.kind == .bareword || left.kind == .closeParen || left.kind == .keyword else {
                continue
            }
            var j = i + 1
            var literal = false
            var name = false
            var function = false
            var comparison = false
            var notOperator = false
            while j < count {
                let token = t[j]
                if token.kind == .logic || token.kind == .semicolon || token.kind == .comment { break }
                if token.isLiteral { literal = true }
                if token.kind == .bareword { name = true }
                if token.kind == .function { function = true }
                if token.kind == .select { return true }
                if token.kind == .comparison { comparison = true }
                if token.kind == .operator { notOperator = true }
                j += 1
            }
            let ends = j >= count || t[j].kind == .comment || t[j].kind == .semicolon
            if comparison && (literal || function) { return true }
            if comparison && name && quoted && (numericStart || ends) { return true }
            if function && (numericStart || quoted || left.kind == .closeParen) { return true }
            // `' or 1--`, `' or 'x`, `1 or true#`: after a breakout a bare literal ends the query.
            if quoted, plainPrefix, literal, !name, ends, j - i <= 3 { return true }
            if numericStart, literal, !name, j < count, t[j].kind == .comment, t[j].flag { return true }
            // `aa' or col ^ -'1`: arithmetic on a column after a breakout.
            if quoted, plainPrefix, notOperator, literal && name { return true }
        }
        return false
    }
}
