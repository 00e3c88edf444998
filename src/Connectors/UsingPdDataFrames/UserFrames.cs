using System.Text.Json;
using Microsoft.Data.Analysis;

namespace Tributary.Connectors.UsingPdDataFrames;

/// <summary>
/// The three DataFrames the original builds with pandas from the API's users — profile, location, login — and the
/// generated frame with missing values, built here with Microsoft.Data.Analysis.
/// </summary>
internal static class UserFrames
{
    /// <summary>Splits users (ids <paramref name="firstId"/>, +1, …) into a profile, a location and a login frame.</summary>
    public static (DataFrame Profile, DataFrame Location, DataFrame Login) Build(IReadOnlyList<RandomUser> users, long firstId)
    {
        var ids = Enumerable.Range(0, users.Count).Select(i => firstId + i).ToArray();
        var profile = new DataFrame(
            new Int64DataFrameColumn("id", ids),
            Text("fullName", users.Select(u => $"{u.Name.Title} {u.Name.First} {u.Name.Last}")),
            Text("gender", users.Select(u => u.Gender)),
            Text("email", users.Select(u => u.Email)),
            new Int32DataFrameColumn("age", users.Select(u => u.Dob.Age)),
            Text("date", users.Select(u => u.Dob.Date)),
            Text("mobile", users.Select(u => u.Cell)),
            Text("nationality", users.Select(u => u.Nat)),
            Text("picture", users.Select(u => u.Picture.GetRawText())));
        var location = new DataFrame(
            new Int64DataFrameColumn("profileId", ids),
            Text("street", users.Select(u => $"{u.Location.Street.Number} {u.Location.Street.Name}")),
            Text("city", users.Select(u => u.Location.City)),
            Text("state", users.Select(u => u.Location.State)),
            Text("country", users.Select(u => u.Location.Country)),
            Text("postcode", users.Select(u => u.Location.Postcode.ValueKind == JsonValueKind.String ? u.Location.Postcode.GetString() : u.Location.Postcode.GetRawText())));
        var login = new DataFrame(
            new Int64DataFrameColumn("profileId", ids),
            Text("uuid", users.Select(u => u.Login.Uuid)),
            Text("username", users.Select(u => u.Login.Username)),
            Text("password", users.Select(u => u.Login.Password)));
        return (profile, location, login);
    }

    /// <summary>
    /// Ten rows of random numbers (seeded, so every sync sees the same) with about one value in ten missing. The source hands
    /// missing values over as NaN, as numpy does; they are turned into nulls, the DataFrame's missing value, before writing,
    /// so they reach the destination as NULL and not as a NaN.
    /// </summary>
    public static DataFrame WithMissingValues()
    {
        var random = new Random(0);
        var column1 = new DoubleDataFrameColumn("column_1", 10);
        var column2 = new DoubleDataFrameColumn("Column_2", 10);
        for (var row = 0; row < 10; row++)
        {
            column1[row] = random.NextDouble() < 0.1 ? double.NaN : random.NextDouble();
            column2[row] = random.NextDouble() < 0.1 ? double.NaN : random.NextDouble();
        }

        foreach (var column in new[] { column1, column2 })
        {
            for (var row = 0L; row < column.Length; row++)
            {
                if (column[row] is double value && double.IsNaN(value))
                {
                    column[row] = null;
                }
            }
        }

        return new DataFrame(new Int32DataFrameColumn("id", Enumerable.Range(1, 10)), column1, column2);
    }

    /// <summary>A frame's rows as dictionaries of column name to value: pandas' <c>to_dict("records")</c>.</summary>
    public static IEnumerable<Dictionary<string, object?>> Records(DataFrame frame)
    {
        foreach (var row in frame.Rows)
        {
            var record = new Dictionary<string, object?>(frame.Columns.Count, StringComparer.Ordinal);
            for (var column = 0; column < frame.Columns.Count; column++)
            {
                record[frame.Columns[column].Name] = row[column];
            }

            yield return record;
        }
    }

    private static StringDataFrameColumn Text(string name, IEnumerable<string?> values) => new(name, values);
}
