using System.Text.Json.Nodes;

namespace QTickets.Tests.Shared;

/// <summary>
/// The genuine orders page (tests/fixtures/orders_page1.json) with a buyer's e-mail, phone and name planted in
/// every free-text field an order has, in keys nobody listed (top level, nested, in utm, in custom as text and as
/// an object, in a ticket's comment and form fields, in integrations and refunds), and the needles to search
/// for afterwards. The buyer and ticket holders are renamed to the planted name, so it is "this order's" name.
/// </summary>
public static class PersonalDataProbe
{
    public const string Email = "leak.person@mail-box.example";
    public const string PhonePlus = "+7 (916) 555-01-23";
    public const string PhoneEight = "8 916 555 01 24";
    public const string PhoneBare = "9165550125";
    public const string FirstName = "Zebulon";
    public const string Surname = "Quartermaine";

    /// <summary>What must appear nowhere: each planted value, also as ClickHouse might store it (digits only).</summary>
    public static readonly IReadOnlyList<string> Needles =
        [Email, "leak.person", "mail-box.example", PhonePlus, "555-01-23", "9165550123", PhoneEight, "9165550124", PhoneBare, FirstName, Surname];

    static string Note(int i) => i switch
    {
        0 => $"call {PhonePlus} or write {Email}",
        1 => $"gift for {FirstName} {Surname}",
        2 => $"{{\"name\":\"{FirstName}\",\"phone\":\"{PhoneEight}\"}}",
        _ => $"{Surname}, {PhoneBare}, {Email}",
    };

    /// <summary>The page's orders, each carrying the planted data in every place above.</summary>
    public static JsonArray Orders()
    {
        var page = JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("orders_page1.json")))!;
        var orders = page["data"]!.AsArray();
        page.AsObject().Remove("data");
        var n = 0;
        foreach (var order in orders.Select(o => o!.AsObject()))
        {
            var note = Note(n++ % 4);
            var details = order["client"]!["details"]!.AsObject();
            details["name"] = FirstName;
            details["surname"] = Surname;
            details["phone"] = PhonePlus;
            order["client"]!["email"] = Email;
            order["custom"] = n % 2 == 0 ? note : new JsonObject { ["note"] = note, ["contact"] = Email };
            order["fields"] = new JsonObject { ["organization_name"] = $"{Surname} LLC", ["email"] = Email };
            order["utm"] = new JsonObject
            {
                ["utm_source"] = Email, ["utm_medium"] = PhonePlus, ["utm_campaign"] = $"for {FirstName}", ["utm_content"] = note,
                ["utm_term"] = PhoneBare, ["utm_referrer"] = Email, ["utm_email"] = Email,
            };
            order["buyer_note"] = note;
            order["delivery"] = new JsonObject { ["address"] = $"{Surname} street 1", ["recipient"] = new JsonObject { ["phone"] = PhoneEight } };
            order["integrations"] = new JsonObject
            {
                ["roistat"] = new JsonObject { ["roistat_visit"] = note, ["visitor_email"] = Email },
                ["amocrm"] = new JsonObject { ["contact"] = $"{FirstName} {Surname}" },
            };
            order["refunds"] = new JsonArray(new JsonObject { ["id"] = 1, ["amount"] = 0, ["comment"] = note, ["requested_by"] = Email });
            order["site"]!["host"] = $"{FirstName.ToLowerInvariant()}-shop.example";
            order["payment_type_id"] = n % 3 == 0 ? "card" : PhoneBare;
            foreach (var basket in order["baskets"]!.AsArray().Select(b => b!.AsObject()))
            {
                basket["client_name"] = FirstName;
                basket["client_surname"] = Surname;
                basket["client_email"] = Email;
                basket["client_phone"] = PhoneEight;
                basket["comment"] = note;
                basket["organization_name"] = $"{Surname} LLC";
                basket["work_position"] = note;
                basket["seat_name"] = basket["seat_name"]!.GetValue<string>() + $" ({FirstName})";
                basket["multiprice_code"] = PhonePlus;
                basket["holder"] = new JsonObject { ["email"] = Email, ["name"] = FirstName };
                basket["services"] = new JsonArray(new JsonObject { ["id"] = 7, ["title"] = note });
                basket["refunds"] = new JsonArray(new JsonObject { ["amount"] = 0, ["reason"] = note });
            }
        }
        return orders;
    }
}
