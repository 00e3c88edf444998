namespace Tributary.Connectors.TruncateOperation;

/// <summary>A product row; the property names are the column names.</summary>
internal sealed record Product(int product_id, string name, string category, float price, bool in_stock);
