using System.Collections;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Runtime;

/// <summary>A row as the connector gave it: source column names and values, copied so the caller may reuse its object.</summary>
internal readonly record struct RowFields(string[] Names, object?[] Values);

/// <summary>Reads a row given as a dictionary, a <see cref="JsonObject"/>, or any object's public properties.</summary>
internal static class RowReader
{
    private static readonly ConcurrentDictionary<Type, Accessor> Accessors = new();

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
                var accessor = Accessors.GetOrAdd(row.GetType(), static type => new Accessor(type));
                return new RowFields(accessor.Names, accessor.Read(row));
        }
    }

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

    /// <summary>Compiled getters for a type's public instance properties, built once per type.</summary>
    private sealed class Accessor
    {
        private readonly Func<object, object?[]> _read;

        public Accessor(Type type)
        {
            var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
                .ToArray();
            if (properties.Length == 0)
            {
                throw new ArgumentException($"A row of type {type.Name} has no public properties to read.", nameof(type));
            }

            Names = [.. properties.Select(p => p.Name)];
            var instance = Expression.Parameter(typeof(object), "row");
            var typed = Expression.Convert(instance, type);
            var values = properties.Select(p => Expression.Convert(Expression.Property(typed, p), typeof(object)));
            _read = Expression.Lambda<Func<object, object?[]>>(Expression.NewArrayInit(typeof(object), values), instance).Compile();
        }

        public string[] Names { get; }

        public object?[] Read(object row) => _read(row);
    }
}
