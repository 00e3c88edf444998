using System.Text.Json.Nodes;

namespace Tributary.Connectors.Toast;

/// <summary>Toast records as rows, shaped as the Fivetran original shapes them: <c>guid</c> becomes <c>id</c>, a nested
/// reference object becomes prefixed columns (<c>server_id</c>, <c>server_entityType</c>), lists become their text.</summary>
internal static class ToastRows
{
    /// <summary>A copy of <paramref name="record"/> with <c>guid</c> as <c>id</c>, the named objects flattened and lists as text.</summary>
    public static JsonObject Row(JsonObject record, string restaurantId, params string[] flatten)
    {
        var row = new JsonObject();
        foreach (var (name, value) in record)
        {
            var key = name == "guid" ? "id" : name;
            if (value is JsonObject nested && flatten.Contains(name))
            {
                Flatten(row, nested, name);
            }
            else
            {
                row[key] = value switch
                {
                    JsonArray list => list.ToJsonString(),
                    JsonObject other => other.ToJsonString(),
                    _ => value?.DeepClone(),
                };
            }
        }

        row["restaurant_id"] = restaurantId;
        return row;
    }

    private static void Flatten(JsonObject row, JsonObject nested, string prefix)
    {
        foreach (var (name, value) in nested)
        {
            var key = $"{prefix}_{(name == "guid" ? "id" : name)}";
            if (value is JsonObject deeper)
            {
                Flatten(row, deeper, key);
            }
            else
            {
                row[key] = value is JsonArray list ? list.ToJsonString() : value?.DeepClone();
            }
        }
    }

    /// <summary>The orders row and its children: checks, their selections and payments, and the check–payment links.</summary>
    public static IEnumerable<(string Table, JsonObject Row)> Order(JsonObject order, string restaurantId)
    {
        var orderId = order["guid"]!.GetValue<string>();
        foreach (var check in order["checks"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var checkId = check["guid"]!.GetValue<string>();
            foreach (var selection in check["selections"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                var row = Row(Without(selection, "appliedTaxes", "modifiers", "appliedDiscounts"), restaurantId, "salesCategory", "itemGroup", "item", "diningOption", "voidReason");
                row["orders_check_id"] = checkId;
                yield return ("orders_check_selection", row);
            }

            foreach (var payment in check["payments"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                var paymentId = payment["guid"]!.GetValue<string>();
                yield return ("orders_check_payment", new JsonObject { ["orders_check_id"] = checkId, ["payment_id"] = paymentId, ["orders_guid"] = orderId });
                yield return ("payment", Row(payment, restaurantId, "cashDrawer", "createdDevice", "lastModifiedDevice", "otherPayment", "refund", "server"));
            }

            var checkRow = Row(Without(check, "selections", "payments", "appliedDiscounts", "appliedServiceCharges"), restaurantId, "customer", "createdDevice", "lastModifiedDevice");
            checkRow["orders_id"] = orderId;
            yield return ("orders_check", checkRow);
        }

        string[] references = ["diningOption", "table", "serviceArea", "revenueCenter"];
        var orderRow = Row(Without(order, ["checks", "pricingFeatures", .. references]), restaurantId, "server", "createdDevice", "lastModifiedDevice");
        foreach (var reference in references)
        {
            if (order[reference] is JsonObject referenced)
            {
                orderRow[$"{reference}_guid"] = referenced["guid"]?.DeepClone();
            }
        }

        yield return ("orders", orderRow);
    }

    private static JsonObject Without(JsonObject record, params string[] names)
    {
        var copy = new JsonObject();
        foreach (var (name, value) in record)
        {
            if (!names.Contains(name))
            {
                copy[name] = value?.DeepClone();
            }
        }

        return copy;
    }
}
