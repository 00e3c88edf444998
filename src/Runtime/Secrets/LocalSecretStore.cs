using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Runtime.Secrets;

/// <summary>
/// Local secrets: the environment variable <c>TRIBUTARY_SECRET_&lt;CONNECTION&gt;_&lt;NAME&gt;</c> (upper case, non
/// alphanumerics as <c>_</c>) wins; otherwise <c>&lt;root&gt;/secrets.json</c>, an object of connection id to an
/// object of secret names and values. Written-back secrets go to that file. Keep it out of source control.
/// </summary>
public sealed class LocalSecretStore(string root) : ISecretStore
{
    private readonly string _path = Path.Combine(Path.GetFullPath(root), "secrets.json");
    private readonly Lock _gate = new();

    /// <summary>The environment variable that overrides a secret.</summary>
    public static string VariableName(string connection, string name) =>
        "TRIBUTARY_SECRET_" + string.Concat($"{connection}_{name}".Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));

    /// <inheritdoc />
    public ValueTask<string?> GetAsync(string connector, string name, CancellationToken cancellationToken)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(VariableName(connector, name));
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return ValueTask.FromResult<string?>(fromEnvironment);
        }

        lock (_gate)
        {
            try
            {
                return ValueTask.FromResult(Load()[connector]?[name]?.GetValue<string>());
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidDataException($"Secrets file '{_path}': '{connector}' must map to an object of secret names to string values.", ex);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask SetAsync(string connector, string name, string value, CancellationToken cancellationToken)
    {
        // A rotated token is written rarely and the file is small: a plain lock around a synchronous rewrite.
        lock (_gate)
        {
            var secrets = Load();
            if (secrets[connector] is not JsonObject entries)
            {
                secrets[connector] = entries = [];
            }

            entries[name] = value;
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temporary = _path + ".tmp";
            File.WriteAllText(temporary, secrets.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            File.Move(temporary, _path, overwrite: true);
        }

        return ValueTask.CompletedTask;
    }

    private JsonObject Load()
    {
        if (!File.Exists(_path))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(_path))?.AsObject() ?? [];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"Secrets file '{_path}' is not a JSON object of connection ids to secrets.", ex);
        }
    }
}
