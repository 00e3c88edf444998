using System.Text.Json;

namespace Tributary.Connectors.UsingPdDataFrames;

/// <summary>One result of randomuser.me's <c>/api/</c>, the fields the connector reads.</summary>
internal sealed record RandomUser(
    string Gender,
    RandomUserName Name,
    RandomUserLocation Location,
    string Email,
    RandomUserLogin Login,
    RandomUserDob Dob,
    string Cell,
    string Nat,
    JsonElement Picture);

internal sealed record RandomUserName(string Title, string First, string Last);

// The API writes postcode as a number for some nationalities and as text for others: read it as it comes.
internal sealed record RandomUserLocation(RandomUserStreet Street, string City, string State, string Country, JsonElement Postcode);

internal sealed record RandomUserStreet(int Number, string Name);

internal sealed record RandomUserLogin(string Uuid, string Username, string Password);

internal sealed record RandomUserDob(string Date, int Age);
