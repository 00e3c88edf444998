using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Sdk.Http.Reading;

/// <summary>
/// Streams the records of one JSON response: the objects of the array at a property path (or of the body itself when it is
/// an array), parsed as they arrive from a buffer that holds only what is being read, so a 100 MB page is never held whole.
/// Records come as <see cref="JsonObject"/>s, or as their JSON text to a reader of a type, which then parses each only once.
/// Everything else in the body — totals, cursors, next-page links, before or after the records — is kept as the
/// <see cref="Envelope"/> for the paginator.
/// </summary>
internal sealed class JsonRecordReader
{
    /// <summary>Makes a record from its JSON text and its index on the page.</summary>
    public delegate TRecord RecordReader<out TRecord>(ReadOnlySpan<byte> json, int index);

    private const int InitialBufferSize = 64 * 1024;
    private const int RunLength = 16 * 1024;   // the records parsed as one document: their arrays stay off the large object heap

    private readonly string[] _path;
    private readonly Func<string, Exception> _malformed;
    private readonly Stack<JsonObject> _objects = new();   // the envelope objects on the path, innermost on top
    private readonly List<string> _names = [];   // the property names of the last record, in order
    private readonly List<KeyValuePair<string, JsonNode?>> _properties = [];   // the record being built
    private readonly List<JsonElement> _records = [];   // the records parsed in one pass over the buffer
    private readonly List<(int Start, int Length)> _texts = [];   // or, for a reader of a type, where they are in it
    private bool _asText;   // records are handed over as their text (_texts), not parsed into _records
    private JsonElement? _last;   // the last record parsed
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;
    private long _discarded;   // bytes of the body before _buffer[0]
    private bool _final;
    private JsonReaderState _state;
    private Mode _mode = Mode.Root;
    private bool _found;
    private byte[] _run = [];   // the records of one pass, copied into "[…]"
    private int _runStart;      // where they begin and end, in the span one pass reads
    private int _runEnd;
    private int _runCount;

    /// <param name="path">The property names leading to the records array; empty: the body itself.</param>
    /// <param name="malformed">Makes the exception for a body that is not what was expected, from a description of the problem.</param>
    public JsonRecordReader(string[] path, Func<string, Exception> malformed)
    {
        _path = path;
        _malformed = malformed;
    }

    private enum Mode
    {
        Root,
        InObject,
        InRecords,
        Done,
    }

    /// <summary>The body without its records: an empty object for an array body. Complete once the records are read.</summary>
    public JsonObject Envelope { get; } = [];

    /// <summary>The size of the read buffer: it grows only for a single record larger than it.</summary>
    internal int BufferLength => _buffer.Length;

    /// <summary>How many records were read.</summary>
    public int Count { get; private set; }

    /// <summary>The last record read, or <see langword="null"/>.</summary>
    public JsonObject? LastRecord => _last is { } last ? JsonObject.Create(last) : null;

    /// <summary>Reads <paramref name="stream"/> to the end of its JSON value, yielding each record as a <see cref="JsonObject"/> as soon as it is complete.</summary>
    public async IAsyncEnumerable<JsonObject> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await ReadMoreAsync(stream, cancellationToken))
        {
            var index = Count - _records.Count;
            foreach (var record in _records)
            {
                yield return Materialize(record, index++);
            }

            _records.Clear();
        }
    }

    /// <summary>
    /// Reads <paramref name="stream"/> to the end of its JSON value, yielding each record as soon as it is complete, made by
    /// <paramref name="read"/> from its JSON text, which this reader finds but does not parse. The text is valid only
    /// during the call.
    /// </summary>
    public async IAsyncEnumerable<TRecord> ReadAsync<TRecord>(
        Stream stream,
        RecordReader<TRecord> read,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _asText = true;
        while (await ReadMoreAsync(stream, cancellationToken))
        {
            var index = Count - _texts.Count;
            foreach (var (start, length) in _texts)
            {
                yield return read(_buffer.AsSpan(start, length), index++);
            }

            _texts.Clear();
        }
    }

    // Reads more of the body and parses it; false once the body's JSON has ended. The records found stay where they are in
    // the buffer until the next call.
    private async ValueTask<bool> ReadMoreAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (_mode == Mode.Done)
        {
            return false;
        }

        if (_final)
        {
            throw _malformed($"the body ends at byte {_discarded + _end} before its JSON does");
        }

        await FillAsync(stream, cancellationToken);
        Parse();
        return true;
    }

    // Moves what is unread to the front, grows the buffer when a single value fills it, and reads more.
    private async ValueTask FillAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _discarded += _start;
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        _final = read == 0;
    }

    // Reads every whole token in the buffer, keeping the reader's state and position for the next call.
    private void Parse()
    {
        var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
        try
        {
            while (_mode != Mode.Done)
            {
                var before = reader;   // where to resume when a token or a whole value is not in the buffer yet
                if (!reader.Read() || !Step(ref reader))
                {
                    reader = before;
                    break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw _malformed($"the body is not valid JSON at byte {_discarded + _start + reader.BytesConsumed} ({ex.Message})");
        }

        ParseRun();
        if (_asText && _texts.Count > 0)
        {
            var (start, length) = _texts[^1];
            _last = JsonElement.Parse(_buffer.AsSpan(start, length));   // for a paginator that reads the last record
        }

        _state = reader.CurrentState;
        _start += (int)reader.BytesConsumed;
    }

    // Handles the token just read; false when it starts a value that must be read whole and is not in the buffer yet.
    private bool Step(ref Utf8JsonReader reader)
    {
        switch (_mode)
        {
            case Mode.Root when _path.Length == 0 && reader.TokenType == JsonTokenType.StartArray:
                _found = true;
                _mode = Mode.InRecords;
                return true;
            case Mode.Root when _path.Length == 0 && reader.TokenType == JsonTokenType.StartObject:
                // A single object is one record.
                if (!TrySkipValue(ref reader, out var single))
                {
                    return false;
                }

                Add(single);
                _found = true;
                _mode = Mode.Done;
                return true;
            case Mode.Root when reader.TokenType == JsonTokenType.StartObject:
                _objects.Push(Envelope);
                _mode = Mode.InObject;
                return true;
            case Mode.Root:
                throw _malformed(_path.Length == 0
                    ? $"the body is a {Describe(reader.TokenType)}, not an array or an object of records"
                    : $"the body is a {Describe(reader.TokenType)}, not an object with '{string.Join('.', _path)}'");
            case Mode.InObject:
                return StepInObject(ref reader);
            case Mode.InRecords:
                return StepInRecords(ref reader);
            default:
                return true;
        }
    }

    private bool StepInObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            _objects.Pop();
            if (_objects.Count == 0)
            {
                _mode = Mode.Done;
                if (!_found)
                {
                    throw _malformed($"the body has no '{string.Join('.', _path)}'");
                }
            }

            return true;
        }

        // A property: its name, then its value, read together so that a value not yet in the buffer re-reads its name.
        var name = reader.GetString()!;
        if (!reader.Read())
        {
            return false;
        }

        var depth = _objects.Count - 1;   // the index of the path segment this object's properties are matched against
        var onPath = depth < _path.Length && _path[depth] == name && !_found;
        if (onPath && depth == _path.Length - 1)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    _found = true;
                    _mode = Mode.InRecords;
                    return true;
                case JsonTokenType.Null:
                    _found = true;   // no records on this page
                    return true;
                default:
                    throw _malformed($"'{string.Join('.', _path)}' is a {Describe(reader.TokenType)}, not an array of records");
            }
        }

        if (onPath && reader.TokenType == JsonTokenType.StartObject)
        {
            var inner = new JsonObject();
            _objects.Peek()[name] = inner;
            _objects.Push(inner);
            return true;
        }

        if (!TrySkipValue(ref reader, out var value))
        {
            return false;
        }

        _objects.Peek()[name] = JsonNode.Parse(_buffer.AsSpan(value.Start, value.Length));
        return true;
    }

    private bool StepInRecords(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            _mode = _objects.Count == 0 ? Mode.Done : Mode.InObject;
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw _malformed($"record {Count + _runCount + 1} at '{(_path.Length == 0 ? "the body" : string.Join('.', _path))}' is a {Describe(reader.TokenType)}, not an object");
        }

        if (!TrySkipValue(ref reader, out var text))
        {
            return false;
        }

        if (_asText)
        {
            Add(text);
            return true;
        }

        // Parsed with the records after it in this buffer, as one document: see ParseRun.
        var (start, end) = (text.Start - _start, text.Start - _start + text.Length);   // where this pass's span has it
        if (_runCount > 0 && end - _runStart > RunLength)
        {
            ParseRun();
        }

        if (_runCount == 0)
        {
            _runStart = start;
        }

        _runEnd = end;
        _runCount++;
        return true;
    }

    // The records found in one pass over the buffer are parsed as one array: a document each cost twice as much. Between
    // the first record's start and the last one's end there are only records, commas and white space.
    private void ParseRun()
    {
        if (_runCount == 0)
        {
            return;
        }

        var length = _runEnd - _runStart;
        if (_run.Length < length + 2)
        {
            _run = new byte[Math.Max(length + 2, RunLength + 2)];
        }

        _run[0] = (byte)'[';
        _buffer.AsSpan(_start + _runStart, length).CopyTo(_run.AsSpan(1));
        _run[length + 1] = (byte)']';
        foreach (var element in JsonElement.Parse(_run.AsSpan(0, length + 2)).EnumerateArray())
        {
            Add(element);
        }

        _runCount = 0;
    }

    // The record's properties, built now rather than on first use: a page's records usually share their names, so each
    // name is one string for the page, not one per record.
    private JsonObject Materialize(JsonElement record, int index)
    {
        _properties.Clear();
        foreach (var property in record.EnumerateObject())
        {
            var position = _properties.Count;
            if (position == _names.Count)
            {
                _names.Add(property.Name);
            }
            else if (!property.NameEquals(_names[position]))
            {
                _names[position] = property.Name;
            }

            var value = property.Value;
            _properties.Add(new(_names[position], value.ValueKind switch
            {
                JsonValueKind.Object => JsonObject.Create(value),
                JsonValueKind.Array => JsonArray.Create(value),
                _ => JsonValue.Create(value),   // null for a JSON null
            }));
        }

        try
        {
            return new JsonObject(_properties);
        }
        catch (ArgumentException)
        {
            var twice = _properties.GroupBy(p => p.Key).First(g => g.Count() > 1).Key;
            throw _malformed($"record {index + 1} has the property '{twice}' more than once");
        }
    }

    private void Add(JsonElement record)
    {
        _records.Add(record);
        _last = record;
        Count++;
    }

    // A whole record's text in the buffer: kept as it is for a reader of a type, parsed otherwise.
    private void Add((int Start, int Length) text)
    {
        if (_asText)
        {
            _texts.Add(text);
            Count++;
        }
        else
        {
            Add(JsonElement.Parse(_buffer.AsSpan(text.Start, text.Length)));
        }
    }

    // Where the value starting at the current token is in the buffer; false when its end is not in the buffer yet.
    private bool TrySkipValue(ref Utf8JsonReader reader, out (int Start, int Length) value)
    {
        var end = reader;
        if (!end.TrySkip())
        {
            value = default;
            return false;
        }

        var start = (int)reader.TokenStartIndex;
        value = (_start + start, (int)end.BytesConsumed - start);
        reader = end;
        return true;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.StartObject => "object",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
