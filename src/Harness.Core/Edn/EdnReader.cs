using System.Globalization;
using System.Numerics;
using System.Text;
using Harness.Core.Histories;

namespace Harness.Core.Edn;

/// <summary>
/// A reader for EDN (https://github.com/edn-format/edn) producing <see cref="Datum"/> values: maps, vectors,
/// lists, sets, keywords, symbols, strings with escapes, characters (as one-character strings), integers
/// (with an optional <c>N</c> suffix), floats (with an optional <c>M</c> suffix), ratios (as floats), nil,
/// booleans, <c>;</c> comments, commas as whitespace, <c>#_</c> discard and tagged literals
/// (<c>#inst "..."</c>, <c>#jepsen.history.Op{...}</c>) as <see cref="DatumKind.Tagged"/>.
/// Errors throw <see cref="HistoryFormatException"/> naming the source and the 1-based line. Values nest at most
/// <see cref="MaxDepth"/> levels (collections, tags and discards), so hostile input cannot overflow the stack.
/// </summary>
public sealed class EdnReader
{
    /// <summary>How deeply values may nest; Jepsen histories need fewer than ten levels.</summary>
    public const int MaxDepth = 100;

    private readonly string _text;
    private readonly string _name;
    private int _pos;
    private int _line = 1;
    private int _depth;

    /// <param name="text">the EDN text.</param>
    /// <param name="name">the file name used in error messages.</param>
    public EdnReader(string text, string name = "<edn>")
    {
        _text = text;
        _name = name;
    }

    /// <summary>The 1-based line of the reader's position.</summary>
    public int Line => _line;

    /// <summary>Parses exactly one value from the text (trailing whitespace and comments allowed).</summary>
    public static Datum Parse(string text, string name = "<edn>")
    {
        var reader = new EdnReader(text, name);
        var value = reader.Read() ?? throw reader.Error("no value (the text is empty)");
        if (reader.SkipWhitespace()) throw reader.Error($"unexpected text after the value: '{reader.Peek()}'");
        return value;
    }

    /// <summary>Every top-level value of the text, in order.</summary>
    public static IEnumerable<Datum> ParseAll(string text, string name = "<edn>")
    {
        var reader = new EdnReader(text, name);
        while (reader.Read() is { } d) yield return d;
    }

    /// <summary>Reads the next value; null at the end of the text.</summary>
    public Datum? Read()
    {
        while (true)
        {
            if (!SkipWhitespace()) return null;
            var d = ReadOne(out var discarded);
            if (!discarded) return d;
        }
    }

    /// <summary>
    /// Skips whitespace, commas and comments; true when a value character follows, false at the end.
    /// </summary>
    public bool SkipWhitespace()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n') { _line++; _pos++; }
            else if (c == ',' || char.IsWhiteSpace(c)) _pos++;
            else if (c == ';')
            {
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            }
            else return true;
        }
        return false;
    }

    /// <summary>The next character (after <see cref="SkipWhitespace"/>), or '\0' at the end.</summary>
    public char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    /// <summary>
    /// If the next value is a vector or a list, consumes its opening bracket and returns the closing one;
    /// otherwise returns '\0' and consumes nothing. Used to stream the elements of a top-level collection.
    /// </summary>
    public char TryEnterSequence()
    {
        if (!SkipWhitespace()) return '\0';
        var c = _text[_pos];
        if (c == '[') { _pos++; return ']'; }
        if (c == '(') { _pos++; return ')'; }
        return '\0';
    }

    /// <summary>Reads the next element of a collection entered with <see cref="TryEnterSequence"/>; null at its end.</summary>
    public Datum? ReadElement(char close)
    {
        while (true)
        {
            if (!SkipWhitespace()) throw Error($"unexpected end of file: missing '{close}'");
            if (_text[_pos] == close) { _pos++; return null; }
            var d = ReadOne(out var discarded);
            if (!discarded) return d;
        }
    }

    /// <summary>A format error at the current line.</summary>
    public HistoryFormatException Error(string message) => new(_name, _line, message);

    private Datum ReadRequired(string context)
    {
        while (true)
        {
            if (!SkipWhitespace()) throw Error($"unexpected end of file {context}");
            var c = _text[_pos];
            if (c is ')' or ']' or '}') throw Error($"unexpected '{c}' {context}");
            var d = ReadOne(out var discarded);
            if (!discarded) return d;
        }
    }

    private Datum ReadOne(out bool discarded)
    {
        if (++_depth > MaxDepth)
            throw Error($"values nested more than {MaxDepth} levels deep (a history needs fewer than ten); the file is damaged or not a history");
        try
        {
            return ReadValue(out discarded);
        }
        finally
        {
            _depth--;
        }
    }

    private Datum ReadValue(out bool discarded)
    {
        discarded = false;
        var c = _text[_pos];
        switch (c)
        {
            case '[': _pos++; return Datum.Vec(ReadItems(']', _line));
            case '(': _pos++; return Datum.List(ReadItems(')', _line));
            case '{': _pos++; return ReadMap(_line);
            case '"': return Datum.Of(ReadString());
            case ':':
                {
                    _pos++;
                    var tok = ReadToken();
                    if (tok.Length == 0) throw Error("a keyword needs a name after ':'");
                    return Datum.Kw(tok);
                }
            case '\\': return Datum.Of(ReadChar());
            case '#': return ReadDispatch(out discarded);
            case ')' or ']' or '}': throw Error($"unexpected '{c}' with no matching opening bracket");
        }
        if (char.IsDigit(c) || ((c is '-' or '+') && _pos + 1 < _text.Length && char.IsDigit(_text[_pos + 1])))
            return ReadNumber();
        var token = ReadToken();
        if (token.Length == 0) throw Error($"unexpected character '{c}'");
        return token switch
        {
            "nil" => Datum.Nil,
            "true" => Datum.True,
            "false" => Datum.False,
            _ => Datum.Sym(token),
        };
    }

    private List<Datum> ReadItems(char close, int startLine)
    {
        var items = new List<Datum>();
        while (true)
        {
            if (!SkipWhitespace()) throw new HistoryFormatException(_name, startLine, $"unexpected end of file: the collection opened here has no closing '{close}'");
            var c = _text[_pos];
            if (c == close) { _pos++; return items; }
            if (c is ')' or ']' or '}') throw Error($"unexpected '{c}': expected '{close}'");
            var d = ReadOne(out var discarded);
            if (!discarded) items.Add(d);
        }
    }

    private Datum ReadMap(int startLine)
    {
        var items = ReadItems('}', startLine);
        if (items.Count % 2 != 0) throw new HistoryFormatException(_name, startLine, "a map needs an even number of forms (a key without a value)");
        var entries = new KeyValuePair<Datum, Datum>[items.Count / 2];
        for (var i = 0; i < entries.Length; i++) entries[i] = new(items[2 * i], items[(2 * i) + 1]);
        return Datum.Map(entries);
    }

    private Datum ReadDispatch(out bool discarded)
    {
        discarded = false;
        var line = _line;
        _pos++;
        if (_pos >= _text.Length) throw Error("unexpected end of file after '#'");
        var c = _text[_pos];
        switch (c)
        {
            case '{':
                _pos++;
                return Datum.Set(ReadItems('}', line));
            case '_':
                _pos++;
                ReadRequired("after #_ (discard)");
                discarded = true;
                return Datum.Nil;
            case '#':
                {
                    _pos++;
                    var sym = ReadToken();
                    return sym switch
                    {
                        "Inf" => Datum.Of(double.PositiveInfinity),
                        "-Inf" => Datum.Of(double.NegativeInfinity),
                        "NaN" => Datum.Of(double.NaN),
                        _ => throw Error($"unknown symbolic value ##{sym}"),
                    };
                }
            case '"':
                return Datum.Tagged("regex", Datum.Of(ReadString()));
        }
        var tag = ReadToken();
        if (tag.Length == 0 || !char.IsLetter(tag[0])) throw Error($"unexpected '#{c}': expected a tag, '#{{' (set) or '#_' (discard)");
        var value = ReadRequired($"after the tag #{tag}");
        return Datum.Tagged(tag, value);
    }

    private static bool IsTokenChar(char c) =>
        !char.IsWhiteSpace(c) && c is not ('(' or ')' or '[' or ']' or '{' or '}' or '"' or ',' or ';' or '\\');

    private string ReadToken()
    {
        var start = _pos;
        while (_pos < _text.Length && IsTokenChar(_text[_pos]) && !(_text[_pos] == '#' && _pos == start)) _pos++;
        return _text[start.._pos];
    }

    private string ReadString()
    {
        var startLine = _line;
        _pos++; // opening quote
        StringBuilder? sb = null;
        var start = _pos;
        while (true)
        {
            if (_pos >= _text.Length) throw new HistoryFormatException(_name, startLine, "unterminated string (no closing '\"')");
            var c = _text[_pos];
            if (c == '"')
            {
                var s = sb is null ? _text[start.._pos] : sb.Append(_text, start, _pos - start).ToString();
                _pos++;
                return s;
            }
            if (c == '\n') _line++;
            if (c != '\\') { _pos++; continue; }
            sb ??= new StringBuilder();
            sb.Append(_text, start, _pos - start);
            _pos++;
            if (_pos >= _text.Length) throw Error("unterminated string escape");
            var e = _text[_pos++];
            switch (e)
            {
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'n': sb.Append('\n'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case '\\': sb.Append('\\'); break;
                case '"': sb.Append('"'); break;
                case 'u':
                    if (_pos + 4 > _text.Length || !int.TryParse(_text.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        throw Error("bad \\u escape in a string (expected 4 hex digits)");
                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default: throw Error($"unknown escape '\\{e}' in a string");
            }
            start = _pos;
        }
    }

    private string ReadChar()
    {
        _pos++; // backslash
        if (_pos >= _text.Length) throw Error("unexpected end of file after '\\' (character literal)");
        var start = _pos;
        _pos++; // the first character is always part of the literal, even ( or ,
        while (_pos < _text.Length && IsTokenChar(_text[_pos])) _pos++;
        var tok = _text[start.._pos];
        if (tok.Length == 1) return tok;
        switch (tok)
        {
            case "newline": return "\n";
            case "space": return " ";
            case "tab": return "\t";
            case "return": return "\r";
            case "backspace": return "\b";
            case "formfeed": return "\f";
        }
        if (tok[0] == 'u' && tok.Length == 5 && int.TryParse(tok.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            return ((char)code).ToString();
        throw Error($"unknown character literal '\\{tok}'");
    }

    private Datum ReadNumber()
    {
        var tok = ReadToken();
        var span = tok.AsSpan();
        try
        {
            if (span.EndsWith("N"))
                return BigToDatum(BigInteger.Parse(span[..^1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            if (span.EndsWith("M"))
                return Datum.Of(double.Parse(span[..^1], NumberStyles.Float, CultureInfo.InvariantCulture));
            var slash = span.IndexOf('/');
            if (slash > 0)
            {
                var num = double.Parse(span[..slash], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                var den = double.Parse(span[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
                return Datum.Of(num / den);
            }
            if (span.ContainsAny('.', 'e', 'E'))
                return Datum.Of(double.Parse(span, NumberStyles.Float, CultureInfo.InvariantCulture));
            var digits = span.TrimStart('+').TrimStart('-');
            if (digits.Length > 2 && digits[0] == '0' && (digits[1] is 'x' or 'X'))
            {
                var v = long.Parse(digits[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                return Datum.Of(span[0] == '-' ? -v : v);
            }
            if (long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return Datum.Of(l);
            return BigToDatum(BigInteger.Parse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }
        catch (FormatException)
        {
            throw Error($"bad number '{tok}'");
        }
        catch (OverflowException)
        {
            throw Error($"number out of range '{tok}'");
        }
    }

    private static Datum BigToDatum(BigInteger b) =>
        b >= long.MinValue && b <= long.MaxValue ? Datum.Of((long)b) : Datum.Of((double)b);
}
