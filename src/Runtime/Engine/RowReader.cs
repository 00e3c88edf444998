using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Tributary.Runtime;

/// <summary>
/// A row as the connector gave it: source column names and values, copied so the caller may reuse its object. A row of
/// an immutable type (<see cref="RowReader.Capture"/>) is kept as it is instead, in <see cref="Source"/>, with no values
/// copied: the engine reads it typed when it applies it, or copies it then with <see cref="Copied"/>.
/// </summary>
internal readonly record struct RowFields(string[] Names, object?[] Values, RowType? Type = null, object? Source = null)
{
    /// <summary>The row with its values copied: itself, unless it was captured.</summary>
    public RowFields Copied() => Source is null ? this : Type!.Read(Source);
}

/// <summary>Reads a row given as a dictionary, a <see cref="JsonObject"/>, or any object's public properties (as its JSON would have them).</summary>
internal static class RowReader
{
    private static readonly ConcurrentDictionary<Type, RowType> Types = new();

    /// <summary>
    /// The row for the engine's queue: a row of an immutable type as it is (nothing can change it before it is applied),
    /// any other copied as <see cref="Read"/> does.
    /// </summary>
    public static RowFields Capture(object row) =>
        row is not (IEnumerable or JsonNode or JsonElement) && TypeOf(row.GetType()) is { Immutable: true } type
            ? new RowFields(type.Names, [], type, row)
            : Read(row);

    /// <summary>The row's columns and values, copied.</summary>
    public static RowFields Read(object row)
    {
        switch (row)
        {
            case JsonObject json:
                return FromPairs(json.Count, json.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)));
            case IReadOnlyDictionary<string, object?> readOnly:
                return FromPairs(readOnly.Count, readOnly);
            case IDictionary<string, object?> dictionary:
                return FromPairs(dictionary.Count, dictionary);
            case IDictionary dictionary:
                return FromDictionary(dictionary);
            case JsonElement { ValueKind: JsonValueKind.Object } element:
                return Read(JsonObject.Create(element)!);
            case string or IEnumerable or JsonNode or JsonElement:
                throw new ArgumentException($"A row must be an object with named columns, not a {row.GetType().Name}.", nameof(row));
            default:
                return TypeOf(row.GetType()).Read(row);
        }
    }

    private static RowType TypeOf(Type type) => Types.GetOrAdd(type, static type => new RowType(type));

    private static RowFields FromPairs(int count, IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var names = new string[count];
        var values = new object?[count];
        var i = 0;
        foreach (var (key, value) in pairs)
        {
            names[i] = key;
            values[i] = value;
            i++;
        }

        return new RowFields(names, values);
    }

    private static RowFields FromDictionary(IDictionary dictionary)
    {
        var names = new string[dictionary.Count];
        var values = new object?[dictionary.Count];
        var i = 0;
        foreach (DictionaryEntry entry in dictionary)
        {
            names[i] = entry.Key as string ?? throw new ArgumentException("Row dictionaries need string keys.", nameof(dictionary));
            values[i] = entry.Value;
            i++;
        }

        return new RowFields(names, values);
    }
}

/// <summary>
/// A type's columns as System.Text.Json serialises it with default options, as state is: <c>[JsonPropertyName]</c>
/// names a column, <c>[JsonIgnore]</c> leaves one out (always, or when its value is null or default), fields count
/// only with <c>[JsonInclude]</c>. The getters are the serialiser's own, built once per type; the typed readers of
/// <see cref="Fields"/> are compiled on first use.
/// </summary>
internal sealed class RowType
{
    private readonly Func<object, object?>[] _getters;
    private readonly Func<object, object?, bool>?[] _conditions;
    private readonly bool _conditional;
    private readonly MemberInfo?[] _members;
    private readonly Lazy<TypedField?[]> _fields;

    public RowType(Type type)
    {
        var contract = JsonSerializerOptions.Default.GetTypeInfo(type);
        var properties = contract.Kind == JsonTypeInfoKind.Object
            ? [.. contract.Properties.Where(p => p.Get is not null)]
            : Array.Empty<JsonPropertyInfo>();
        if (properties.Length == 0)
        {
            throw new ArgumentException($"A row of type {type.Name} has no public properties to read.", nameof(type));
        }

        Names = [.. properties.Select(p => p.Name)];
        _getters = [.. properties.Select(p => p.Get!)];
        _conditions = [.. properties.Select(p => p.ShouldSerialize)];
        _conditional = Array.Exists(_conditions, c => c is not null);
        _members = [.. properties.Select(p => p.AttributeProvider as MemberInfo)];
        _fields = new Lazy<TypedField?[]>(() => [.. _members.Select(m => m is null ? null : TypedField.For(m))]);
        Immutable = !_conditional && (type.IsValueType || IsAnonymous(type) || Array.TrueForAll(_members, IsReadOnly));
    }

    public string[] Names { get; }

    /// <summary>
    /// Whether a row of this type cannot change once made, so the engine may read it later than the connector's call:
    /// a struct (the row is a boxed copy), an anonymous type, or a type whose columns are all read-only or init-only
    /// auto-properties and read-only fields, none of them skipped by a <c>[JsonIgnore]</c> condition.
    /// </summary>
    public bool Immutable { get; }

    /// <summary>The typed reader of each column, by position; <see langword="null"/> where the column's type has none.</summary>
    public IReadOnlyList<TypedField?> Fields => _fields.Value;

    public RowFields Read(object row)
    {
        var values = new object?[_getters.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = _getters[i](row);
        }

        return _conditional ? WithoutSkipped(row, values) : new RowFields(Names, values);
    }

    // A property whose [JsonIgnore] condition holds for this row is not part of it, as it is not part of its JSON.
    private RowFields WithoutSkipped(object row, object?[] values)
    {
        var names = new List<string>(values.Length);
        var kept = new List<object?>(values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            if (_conditions[i] is not { } shouldWrite || shouldWrite(row, values[i]))
            {
                names.Add(Names[i]);
                kept.Add(values[i]);
            }
        }

        return names.Count == values.Length ? new RowFields(Names, values) : new RowFields([.. names], [.. kept]);
    }

    private static bool IsAnonymous(Type type) =>
        type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) && type.Name.Contains("AnonymousType", StringComparison.Ordinal);

    // An auto-property without a setter or with an init-only one, or a read-only field: nothing sets it after construction.
    private static bool IsReadOnly(MemberInfo? member) => member switch
    {
        FieldInfo field => field.IsInitOnly,
        PropertyInfo { SetMethod: { } setter } => setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)),
        PropertyInfo property => property.DeclaringType?.GetField($"<{property.Name}>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic) is { IsInitOnly: true },
        _ => false,
    };
}
