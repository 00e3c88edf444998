using System.Linq.Expressions;
using System.Reflection;
using Tributary.Runtime.Destinations;
using Tributary.Sdk;

namespace Tributary.Runtime;

/// <summary>
/// One member of a row type, read through a compiled getter of its own type and written straight into a column vector:
/// no boxing, no coercion. Only members whose type is the column type's CLR representation (see
/// <see cref="WriteBatch"/>) have one, or its nullable form; a <see cref="DateTimeOffset"/> is brought to UTC as
/// coercion would.
/// </summary>
internal abstract class TypedField
{
    /// <summary>The field for a member, or <see langword="null"/> when its type has none (such rows take the boxed path).</summary>
    public static TypedField? For(MemberInfo member)
    {
        var type = member switch
        {
            PropertyInfo property => property.PropertyType,
            FieldInfo field => field.FieldType,
            _ => null,
        };
        var value = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        if (value is null || ColumnOf(value) is not { } column)
        {
            return null;
        }

        // (object row) => ((TRow)row).Member, compiled once per member; an instant is brought to UTC on the way.
        var row = Expression.Parameter(typeof(object), "row");
        var typed = Expression.Convert(row, member.DeclaringType!);
        Expression read = member is PropertyInfo p ? Expression.Property(typed, p) : Expression.Field(typed, (FieldInfo)member);
        if (value == typeof(DateTimeOffset))
        {
            read = Expression.Call(typeof(TypedField).GetMethod(nameof(Utc), BindingFlags.Static | BindingFlags.NonPublic)!, Expression.Convert(read, typeof(DateTimeOffset?)));
            type = typeof(DateTimeOffset?);
        }

        var getter = Expression.Lambda(typeof(Func<,>).MakeGenericType(typeof(object), type!), read, row).Compile();
        var reader = type!.IsValueType && value != type ? typeof(NullableField<>) : typeof(Field<>);
        return (TypedField)Activator.CreateInstance(reader.MakeGenericType(value), getter, column)!;
    }

    /// <summary>The type of the columns the member is written to without conversion.</summary>
    public abstract DataType Column { get; }

    /// <summary>Whether values of this field go into a column of <paramref name="type"/> as they are.</summary>
    public bool Fits(ColumnType type) => type.Type == Column || (Column == DataType.String && type.Type == DataType.Xml);

    /// <summary>Appends the row's value to <paramref name="vector"/>. Returns its estimated bytes.</summary>
    public abstract long Append(object row, ColumnVector vector);

    /// <summary>Replaces the value of <paramref name="slot"/> in <paramref name="vector"/>. Returns its estimated bytes.</summary>
    public abstract long Set(object row, ColumnVector vector, int slot);

    /// <summary>The row's value, boxed (a key); <see langword="null"/> for NULL.</summary>
    public abstract object? Box(object row);

    private static DataType? ColumnOf(Type type) =>
        type == typeof(long) ? DataType.Long
        : type == typeof(string) ? DataType.String
        : type == typeof(int) ? DataType.Int
        : type == typeof(double) ? DataType.Double
        : type == typeof(bool) ? DataType.Boolean
        : type == typeof(DateTimeOffset) ? DataType.UtcDateTime
        : type == typeof(short) ? DataType.Short
        : type == typeof(float) ? DataType.Float
        : type == typeof(DateOnly) ? DataType.NaiveDate
        : type == typeof(byte[]) ? DataType.Binary
        : null;

    // A UTC_DATETIME holds the instant at offset zero, as coercion gives it.
    private static DateTimeOffset? Utc(DateTimeOffset? value) => value is { Offset.Ticks: not 0 } other ? other.ToUniversalTime() : value;

    private static long SizeOf<T>(T value) => value switch
    {
        string text => 8 + 24 + 2L * text.Length,
        byte[] bytes => 8 + 24 + bytes.Length,
        _ => 8,
    };

    private sealed class Field<T>(Func<object, T> get, DataType column) : TypedField
    {
        public override DataType Column => column;

        public override long Append(object row, ColumnVector vector)
        {
            var value = get(row);
            if (value is null)
            {
                vector.Append(null);
                return 8;
            }

            ((ColumnVector<T>)vector).AppendValue(value);
            return SizeOf(value);
        }

        public override long Set(object row, ColumnVector vector, int slot)
        {
            var value = get(row);
            if (value is null)
            {
                vector.Set(slot, null);
                return 8;
            }

            ((ColumnVector<T>)vector).SetValue(slot, value);
            return SizeOf(value);
        }

        public override object? Box(object row) => get(row);
    }

    private sealed class NullableField<T>(Func<object, T?> get, DataType column) : TypedField
        where T : struct
    {
        public override DataType Column => column;

        public override long Append(object row, ColumnVector vector)
        {
            if (get(row) is { } value)
            {
                ((ColumnVector<T>)vector).AppendValue(value);
            }
            else
            {
                vector.Append(null);
            }

            return 8;
        }

        public override long Set(object row, ColumnVector vector, int slot)
        {
            if (get(row) is { } value)
            {
                ((ColumnVector<T>)vector).SetValue(slot, value);
            }
            else
            {
                vector.Set(slot, null);
            }

            return 8;
        }

        public override object? Box(object row) => get(row);
    }
}
