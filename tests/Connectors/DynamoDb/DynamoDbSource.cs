using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace Tributary.Connectors.Tests.DynamoDb;

/// <summary>A table of customers in dynalite, made and changed through the AWS SDK as an application would.</summary>
internal sealed class DynamoDbSource : IDisposable
{
    /// <summary>A number with more digits than a double holds, which a <see cref="decimal"/> carries exactly.</summary>
    public const string ExactBalance = "1234567.8901234567890123";

    /// <summary>38 significant digits: DynamoDB's most, beyond a <see cref="decimal"/>; it arrives as text.</summary>
    public const string WidePoints = "12345678901234567890123456789012345.678";

    private readonly AmazonDynamoDBClient _client;

    public DynamoDbSource(Uri serviceUrl, string table)
    {
        Table = table;
        _client = new AmazonDynamoDBClient(
            new BasicAWSCredentials("SEEDER", "seeder-secret"),
            new AmazonDynamoDBConfig { ServiceURL = serviceUrl.AbsoluteUri, AuthenticationRegion = "us-east-1" });
    }

    public string Table { get; }

    public static string CustomerId(int n) => $"c-{n:D3}";

    public async Task CreateAsync(int customers)
    {
        await _client.CreateTableAsync(new CreateTableRequest
        {
            TableName = Table,
            KeySchema = [new KeySchemaElement("customer_id", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("customer_id", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });

        // dynalite answers CreateTable while the table is CREATING, as DynamoDB does; writes wait for ACTIVE.
        for (var attempt = 0; (await _client.DescribeTableAsync(Table)).Table.TableStatus != TableStatus.ACTIVE; attempt++)
        {
            if (attempt == 200)
            {
                throw new TimeoutException($"{Table} did not become ACTIVE.");
            }

            await Task.Delay(10);
        }

        for (var n = 1; n <= customers; n++)
        {
            await PutAsync(n, $"Customer {n}");
        }
    }

    public Task PutAsync(int n, string name) => _client.PutItemAsync(new PutItemRequest { TableName = Table, Item = Item(n, name) });

    public Task DeleteAsync(int n) => _client.DeleteItemAsync(new DeleteItemRequest
    {
        TableName = Table,
        Key = new Dictionary<string, AttributeValue> { ["customer_id"] = new() { S = CustomerId(n) } },
    });

    public void Dispose() => _client.Dispose();

    /// <summary>Every kind of attribute: S, N (whole, exact fraction, 38 digits), BOOL, NULL, B, SS, NS, L and M.</summary>
    private static Dictionary<string, AttributeValue> Item(int n, string name)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["customer_id"] = new() { S = CustomerId(n) },
            ["name"] = new() { S = name },
            ["age"] = new() { N = (20 + n).ToString(CultureInfo.InvariantCulture) },
            ["balance"] = new() { N = n == 1 ? ExactBalance : $"{n}.25" },
            ["active"] = new() { BOOL = n % 2 == 0 },
            ["nickname"] = new() { NULL = true },
            ["avatar"] = new() { B = new MemoryStream([1, 2, (byte)n]) },
            ["tags"] = new() { SS = ["gold", $"region-{n % 3}"] },
            ["scores"] = new() { NS = ["1.5", "10"] },
            ["orders"] = new() { L = [new() { S = "o-1" }, new() { N = "2" }] },
            ["address"] = new()
            {
                M = new Dictionary<string, AttributeValue> { ["city"] = new() { S = "Oslo" }, ["zip"] = new() { N = "150" } },
            },
        };
        if (n == 1)
        {
            item["lifetime_points"] = new() { N = WidePoints };
        }

        return item;
    }
}
