"""Demo master data: plausible Singapore depots, trucks and customers, and the
shape of a demo day's orders (``seed_demo`` plans and loads that day)."""

from datetime import time
from decimal import Decimal

DEMO_PASSWORD = "demo1234"

DEPOTS = [
    # code, name, address, postal code, lat, lng
    ("TUAS", "Tuas Depot", "21 Tuas South Avenue 6, Singapore", "637019", "1.296110", "103.637530"),
    ("SNG", "Senoko Depot", "9 Senoko Drive, Singapore", "758200", "1.461690", "103.803190"),
]

VEHICLES = [("XD1234A", "TUAS"), ("XD5678B", "TUAS"), ("XE2468C", "SNG"), ("XE1357D", "SNG")]

# The trucks' racks and load limits by size; both sizes work a 07:00-19:00
# shift (SHIFT). The dispatch planner keeps each truck inside them. The load
# limit is above the weight of full racks (gross: gas plus tare), with room
# for the serialised cylinders one truck carries (SERIALS_ON_VEHICLE): the
# planner counts only what the day's stops need, so in the demo the racks bind.
VEHICLE_SIZES = {"XD1234A": "large", "XD5678B": "small", "XE2468C": "large", "XE1357D": "small"}
VEHICLE_LIMITS = {
    # size: max_load_kg, {sku: cylinders the racks hold}
    "small": (Decimal("5000"), {"LPG-12.7": 60, "LPG-14": 60, "LPG-50": 12, "LPG45S": 10}),
    "large": (Decimal("8000"), {"LPG-12.7": 100, "LPG-14": 100, "LPG-50": 20, "LPG45S": 10}),
}
SHIFT = (time(7, 0), time(19, 0))

# An empty cylinder's weight (kg): a full one weighs this plus its gas.
TARE_KG = {"LPG-12.7": Decimal("15"), "LPG-14": Decimal("16"), "LPG-50": Decimal("40"), "LPG45S": Decimal("35")}

CYLINDER_TYPES = [
    ("LPG-12.7", "12.7 kg cylinder", Decimal("12.70"), Decimal("24.99")),
    ("LPG-14", "14 kg cylinder", Decimal("14.00"), Decimal("27.50")),
    ("LPG-50", "50 kg cylinder", Decimal("50.00"), Decimal("92.00")),
]

# Cylinder deposits per type (SGD, not subject to GST), in force from DEPOSITS_FROM.
DEPOSITS_FROM = "2024-01-01"
DEPOSIT_RATES = {
    "LPG-12.7": Decimal("45.00"),
    "LPG-14": Decimal("50.00"),
    "LPG-50": Decimal("150.00"),
    "LPG45S": Decimal("120.00"),  # the serialised 45 kg type (issue 13), when present
}
DEFAULT_DEPOSIT = Decimal("50.00")  # any other demo type

# Enough for the demo day's load sheets (two trucks per depot, each full at
# most: 200 x 12.7 kg, 200 x 14 kg, 32 x 50 kg) with room for the e2e loads.
OPENING_STOCK = {
    "TUAS": {"LPG-12.7": 400, "LPG-14": 300, "LPG-50": 80},
    "SNG": {"LPG-12.7": 300, "LPG-14": 250, "LPG-50": 60},
}

USERS = [
    # email, name, role, depot code, vehicle plate
    ("admin@example.com", "Ada Admin", "admin", None, None),
    ("supervisor@example.com", "Sam Supervisor", "supervisor", "TUAS", None),
    ("depot@example.com", "Dina Depot", "depot_staff", "TUAS", None),
    ("driver1@example.com", "Rahman bin Yusof", "driver", "TUAS", "XD1234A"),
    ("driver2@example.com", "Tan Wei Ming", "driver", "TUAS", "XD5678B"),
    ("finance@example.com", "Fiona Finance", "finance", None, None),
    ("driver3@example.com", "Muthu s/o Krishnan", "driver", "SNG", "XE2468C"),
    ("driver4@example.com", "Lee Kok Wah", "driver", "SNG", "XE1357D"),
    ("auditor@example.com", "Audrey Auditor", "auditor", None, None),
]

# The customer app's demo login: a contact of C0001, the customer the demo's
# serialised cylinders were delivered to (an invoice, cylinders by serial);
# signs in with DEMO_PASSWORD like the staff.
CONTACT = ("customer@example.com", "Mei Ling (kitchen manager)", "C0001")

# name, kind, address, postal code, lat, lng, terms, credit days, uen
CUSTOMERS = [
    (
        "Ah Hock Zi Char",
        "COMMERCIAL",
        "Blk 85 Bedok North Street 4 #01-01",
        "460085",
        "1.332520",
        "103.938590",
        "CREDIT",
        30,
        "53112233A",
    ),
    (
        "Sin Kee Chicken Rice",
        "COMMERCIAL",
        "Blk 40 Holland Drive #01-39",
        "270040",
        "1.308780",
        "103.794560",
        "CASH",
        0,
        "53223344B",
    ),
    (
        "Jurong Point Food Court",
        "COMMERCIAL",
        "1 Jurong West Central 2 #03-50",
        "648886",
        "1.339740",
        "103.706440",
        "CREDIT",
        30,
        "201812345C",
    ),
    (
        "Geylang Prawn Noodle",
        "COMMERCIAL",
        "Blk 28 Geylang Lorong 19",
        "388535",
        "1.312160",
        "103.880030",
        "CASH",
        0,
        "53334455D",
    ),
    (
        "Tiong Bahru Bakery Kitchen",
        "COMMERCIAL",
        "56 Eng Hoon Street #01-70",
        "160056",
        "1.284010",
        "103.832620",
        "CREDIT",
        14,
        "201512398E",
    ),
    (
        "Woodlands Roti Prata House",
        "COMMERCIAL",
        "Blk 888 Woodlands Drive 50 #01-741",
        "730888",
        "1.437060",
        "103.796340",
        "CASH",
        0,
        "53445566F",
    ),
    (
        "Ang Mo Kio Hawker Stall 12",
        "COMMERCIAL",
        "Blk 628 Ang Mo Kio Avenue 4 #01-12",
        "560628",
        "1.380450",
        "103.840360",
        "CASH",
        0,
        "53556677G",
    ),
    (
        "Toa Payoh Dim Sum",
        "COMMERCIAL",
        "Blk 190 Lorong 6 Toa Payoh #01-514",
        "310190",
        "1.335360",
        "103.852150",
        "CREDIT",
        30,
        "201633221H",
    ),
    (
        "Pasir Ris Seafood Restaurant",
        "COMMERCIAL",
        "125 Pasir Ris Road",
        "519121",
        "1.378980",
        "103.951470",
        "CREDIT",
        60,
        "200912876J",
    ),
    (
        "Clementi Economic Rice",
        "COMMERCIAL",
        "Blk 448 Clementi Avenue 3 #01-30",
        "120448",
        "1.314570",
        "103.764880",
        "CASH",
        0,
        "53667788K",
    ),
    (
        "Yishun Laksa Corner",
        "COMMERCIAL",
        "Blk 925 Yishun Central 1 #01-249",
        "760925",
        "1.428990",
        "103.836270",
        "CASH",
        0,
        "53778899L",
    ),
    (
        "Serangoon Gardens Satay",
        "COMMERCIAL",
        "49A Serangoon Garden Way",
        "555945",
        "1.364240",
        "103.865800",
        "CREDIT",
        14,
        "201711223M",
    ),
    (
        "Bukit Timah Fish Soup",
        "COMMERCIAL",
        "Blk 51 Upper Bukit Timah Road #02-180",
        "588215",
        "1.339450",
        "103.776030",
        "CASH",
        0,
        "53889900N",
    ),
    (
        "Tampines Mall Noodle Bar",
        "COMMERCIAL",
        "4 Tampines Central 5 #B1-20",
        "529510",
        "1.352540",
        "103.945030",
        "CREDIT",
        30,
        "201922334P",
    ),
    (
        "Bedok Reservoir Bak Kut Teh",
        "COMMERCIAL",
        "Blk 732 Bedok Reservoir Road #01-3015",
        "470732",
        "1.337850",
        "103.929860",
        "CASH",
        0,
        "53990011Q",
    ),
    (
        "Punggol Waterway Cafe",
        "COMMERCIAL",
        "83 Punggol Central #01-05",
        "828761",
        "1.405070",
        "103.902280",
        "CREDIT",
        14,
        "202011445R",
    ),
    (
        "Sengkang Kopitiam",
        "COMMERCIAL",
        "Blk 259 Compassvale Street #01-01",
        "540259",
        "1.390830",
        "103.897710",
        "CASH",
        0,
        "54001122S",
    ),
    (
        "Kallang Industrial Canteen",
        "COMMERCIAL",
        "10 Kallang Avenue #01-10",
        "339510",
        "1.310880",
        "103.864000",
        "CREDIT",
        30,
        "199812345T",
    ),
    (
        "Tuas Shipyard Canteen",
        "COMMERCIAL",
        "51 Tuas Road",
        "638498",
        "1.321720",
        "103.652780",
        "CREDIT",
        45,
        "198700123U",
    ),
    (
        "Little India Curry House",
        "COMMERCIAL",
        "48 Race Course Road",
        "218559",
        "1.308560",
        "103.852080",
        "CASH",
        0,
        "54112233V",
    ),
    (
        "Chinatown Complex Stall 02-88",
        "COMMERCIAL",
        "335 Smith Street #02-88",
        "050335",
        "1.282400",
        "103.842920",
        "CASH",
        0,
        "54223344W",
    ),
    (
        "Marine Parade Nasi Lemak",
        "COMMERCIAL",
        "Blk 84 Marine Parade Central #01-132",
        "440084",
        "1.302550",
        "103.906290",
        "CASH",
        0,
        "54334455X",
    ),
    (
        "Changi Village Hawker Stall",
        "COMMERCIAL",
        "2 Changi Village Road #01-04",
        "500002",
        "1.389130",
        "103.987570",
        "CASH",
        0,
        "54445566Y",
    ),
    (
        "Hougang Teochew Porridge",
        "COMMERCIAL",
        "Blk 682 Hougang Avenue 4 #01-320",
        "530682",
        "1.375630",
        "103.891040",
        "CASH",
        0,
        "54556677Z",
    ),
    (
        "Bishan Hot Pot",
        "COMMERCIAL",
        "Blk 512 Bishan Street 13 #01-522",
        "570512",
        "1.350470",
        "103.848700",
        "CREDIT",
        30,
        "201823456A",
    ),
    (
        "Mdm Lim Household",
        "HOUSEHOLD",
        "Blk 302 Tampines Street 32 #08-112",
        "520302",
        "1.354920",
        "103.956030",
        "CASH",
        0,
        "",
    ),
    (
        "Mr Kumar Household",
        "HOUSEHOLD",
        "Blk 115 Jurong East Street 13 #05-210",
        "600115",
        "1.337800",
        "103.740900",
        "CASH",
        0,
        "",
    ),
    ("Tan Family Household", "HOUSEHOLD", "27 Jalan Kembangan", "419134", "1.320130", "103.913490", "CASH", 0, ""),
    (
        "Mrs Wong Household",
        "HOUSEHOLD",
        "Blk 13 Telok Blangah Crescent #10-45",
        "090013",
        "1.274050",
        "103.817070",
        "CASH",
        0,
        "",
    ),
    (
        "Siti Household",
        "HOUSEHOLD",
        "Blk 640 Woodlands Ring Road #04-88",
        "730640",
        "1.438700",
        "103.799100",
        "CASH",
        0,
        "",
    ),
]

# Issue 13: one serialised type (each cylinder named by its serial on every move);
# the existing types stay unserialised (the specs deliver them without serials).
SERIALISED_TYPE = ("LPG45S", "45 kg cylinder (serialised)", Decimal("45.00"), Decimal("84.00"))
SERIALISED_DEPOT = "TUAS"
SERIALS = [f"SG45-{n:04d}" for n in range(1, 31)] + ["SG45-0099"]
SERIALS_DRIVER = "driver2@example.com"  # where they have always been (truck XD5678B)
SERIALS_ON_VEHICLE = SERIALS[:8]  # loaded onto that driver's truck ...
SERIALS_AT_CUSTOMER = SERIALS[6:8]  # ... two of them delivered to the first customer
SERIAL_RETEST_OVERDUE = "SG45-0099"  # retest date in the past: may not leave the depot
# serial -> days from today to its retest date (the others: years away)
SERIAL_RETEST_SOON = {"SG45-0025": 5, "SG45-0026": 12, "SG45-0027": 19, "SG45-0028": 26, "SG45-0029": 29}

# -- the demo day (issue 22: dispatch) ---------------------------------------------------
# Each customer's profile sets its receiving hours: households take LPG 07:00-21:00
# (left empty: the household default), restaurants before 10:00, industrial
# canteens 08:00-17:00.
HOURS = {
    "household": (None, None),
    "restaurant": (time(7, 0), time(10, 0)),
    "industrial": (time(8, 0), time(17, 0)),
}
INDUSTRIAL = {"Kallang Industrial Canteen", "Tuas Shipyard Canteen"}  # of CUSTOMERS; the other commercial ones cook

# More customers across the island: HDB towns and industrial estates. They take
# the codes after CUSTOMERS' (C0031 ...), households first. Households pay cash.
# name, address, postal code, lat, lng
MORE_HOUSEHOLDS = [
    ("Mdm Tan Household", "Blk 201 Tampines Street 21 #07-145", "520201", "1.3583", "103.9524"),
    ("Mr Lee Household", "Blk 216 Bedok North Street 1 #04-203", "460216", "1.3273", "103.9326"),
    ("Nur Aisyah Household", "Blk 440 Pasir Ris Drive 6 #09-310", "510440", "1.3716", "103.9593"),
    ("Mr Ong Household", "Blk 498 Jurong West Street 41 #11-402", "640498", "1.3505", "103.7214"),
    ("Mdm Chua Household", "Blk 221 Boon Lay Place #05-118", "640221", "1.3465", "103.7127"),
    ("Mr Raj Household", "Blk 768 Woodlands Avenue 6 #10-42", "730768", "1.4444", "103.7982"),
    ("Mdm Hew Household", "Blk 292 Yishun Street 22 #06-255", "760292", "1.4369", "103.8374"),
    ("Mr Ismail Household", "Blk 355 Sembawang Crescent #08-131", "750355", "1.4496", "103.8201"),
    ("Lim Family Household", "Blk 322 Ang Mo Kio Avenue 3 #03-222", "560322", "1.3662", "103.8475"),
    ("Mr Koh Household", "Blk 279 Bishan Street 24 #12-68", "570279", "1.3579", "103.8406"),
    ("Mdm Siva Household", "Blk 79 Lorong 4 Toa Payoh #07-301", "310079", "1.3368", "103.8492"),
    ("Mr Yeo Household", "Blk 263 Serangoon Central Drive #09-415", "550263", "1.3529", "103.872"),
    ("Mdm Ng Household", "Blk 322 Hougang Avenue 5 #04-127", "530322", "1.3706", "103.8892"),
    ("Mr Teo Household", "Blk 186 Rivervale Drive #13-910", "540186", "1.383", "103.9026"),
    ("Mdm Rahimah Household", "Blk 273C Punggol Place #15-822", "823273", "1.4022", "103.9082"),
    ("Mr Chan Household", "Blk 352 Clementi Avenue 2 #06-144", "120352", "1.316", "103.7693"),
    ("Mdm Foo Household", "Blk 154 Bukit Batok Street 11 #08-282", "650154", "1.3488", "103.7428"),
    ("Mr Pillai Household", "Blk 250 Choa Chu Kang Avenue 2 #10-173", "680250", "1.386", "103.7453"),
    ("Mdm Quek Household", "Blk 140 Petir Road #05-360", "670140", "1.3779", "103.7662"),
    ("Mr Wee Household", "Blk 160 Mei Chin Road #03-21", "140160", "1.2923", "103.8073"),
    ("Mdm Loh Household", "Blk 112 Bukit Merah View #09-77", "150112", "1.2853", "103.8196"),
    ("Mr Tay Household", "Blk 135 Jurong Gateway Road #08-317", "600135", "1.3336", "103.7399"),
]
# name, profile, address, postal code, lat, lng, terms, credit days, uen
MORE_COMMERCIAL = [
    ("Geylang Frog Porridge", "restaurant", "235 Geylang Road", "389304", "1.3118", "103.8767", "CASH", 0, "54667788A"),
    (
        "Kallang Bahru Kway Chap",
        "restaurant",
        "Blk 66 Kallang Bahru #01-525",
        "330066",
        "1.3164",
        "103.8661",
        "CASH",
        0,
        "54778899B",
    ),
    (
        "Redhill Nasi Padang",
        "restaurant",
        "Blk 85 Redhill Lane #01-70",
        "150085",
        "1.2871",
        "103.8178",
        "CREDIT",
        14,
        "201734512C",
    ),
    (
        "People's Park Roast Duck",
        "restaurant",
        "Blk 32 New Market Road #01-1046",
        "050032",
        "1.286",
        "103.8427",
        "CASH",
        0,
        "54889900D",
    ),
    (
        "Tekka Biryani House",
        "restaurant",
        "665 Buffalo Road #01-310",
        "210665",
        "1.306",
        "103.8506",
        "CREDIT",
        30,
        "201956781E",
    ),
    (
        "Tampines Round Market Fishball",
        "restaurant",
        "Blk 137 Tampines Street 11 #01-11",
        "520137",
        "1.3465",
        "103.9448",
        "CASH",
        0,
        "54990011F",
    ),
    (
        "Jurong East Hainanese Curry Rice",
        "restaurant",
        "Blk 134 Jurong Gateway Road #01-307",
        "600134",
        "1.3339",
        "103.7405",
        "CASH",
        0,
        "55001122G",
    ),
    (
        "Sengkang Hakka Yong Tau Foo",
        "restaurant",
        "Blk 261A Sengkang East Way #01-05",
        "541261",
        "1.3917",
        "103.8967",
        "CREDIT",
        14,
        "202045678H",
    ),
    (
        "Tuas Avenue 8 Workers' Canteen",
        "industrial",
        "15 Tuas Avenue 8",
        "639226",
        "1.3295",
        "103.6483",
        "CREDIT",
        30,
        "200304561J",
    ),
    (
        "Pioneer Sector Canteen",
        "industrial",
        "2 Pioneer Sector 1",
        "628413",
        "1.3219",
        "103.6757",
        "CREDIT",
        30,
        "199905432K",
    ),
    (
        "Loyang Offshore Canteen",
        "industrial",
        "21 Loyang Crescent",
        "509015",
        "1.3698",
        "103.9796",
        "CREDIT",
        45,
        "200712398L",
    ),
    (
        "Kaki Bukit Techpark Canteen",
        "industrial",
        "10 Kaki Bukit Avenue 1",
        "417942",
        "1.3355",
        "103.9055",
        "CREDIT",
        30,
        "201011223M",
    ),
    (
        "Ubi Industrial Canteen",
        "industrial",
        "3 Ubi Avenue 3",
        "408857",
        "1.3328",
        "103.8973",
        "CREDIT",
        30,
        "200898765N",
    ),
    (
        "Senoko Crescent Canteen",
        "industrial",
        "18 Senoko Crescent",
        "758282",
        "1.4585",
        "103.8074",
        "CREDIT",
        30,
        "201123456P",
    ),
    (
        "Defu Lane Food Factory Canteen",
        "industrial",
        "8 Defu Lane 10",
        "539210",
        "1.3544",
        "103.8924",
        "CREDIT",
        30,
        "199607788Q",
    ),
    ("Kranji Loop Canteen", "industrial", "21 Kranji Loop", "739557", "1.4278", "103.7561", "CREDIT", 45, "200256789R"),
]

# Contract prices (SGD before GST, from CONTRACTS_FROM) for some commercial
# customers, by name. Not Ah Hock Zi Char: the e2e fixture sets its own.
CONTRACTS_FROM = "2025-01-01"
CONTRACT_PRICES = {
    "Jurong Point Food Court": {"LPG-12.7": Decimal("22.90"), "LPG-14": Decimal("25.20")},
    "Toa Payoh Dim Sum": {"LPG-14": Decimal("25.80")},
    "Pasir Ris Seafood Restaurant": {"LPG-12.7": Decimal("23.40"), "LPG-14": Decimal("25.90")},
    "Kallang Industrial Canteen": {"LPG-50": Decimal("84.50")},
    "Tuas Shipyard Canteen": {"LPG-50": Decimal("82.00")},
    "Tuas Avenue 8 Workers' Canteen": {"LPG-50": Decimal("83.00")},
    "Loyang Offshore Canteen": {"LPG-50": Decimal("85.00")},
}

# The demo day: how many orders per profile (drawn afresh for each day, the
# day's date seeding the draw) and what each orders. Customers the e2e specs
# order for themselves get none, so their journeys start from a known state.
DAY_ORDERS = {"household": 26, "restaurant": 26, "industrial": 8}
DAY_LINES = {
    # profile: (skus to choose from, fewest, most cylinders)
    "household": (("LPG-12.7", "LPG-14"), 1, 2),
    "restaurant": (("LPG-12.7", "LPG-14"), 2, 6),
    "industrial": (("LPG-50",), 4, 10),
}
DAY_URGENT = 3  # orders of the day marked urgent
DAY_SKIP = {"Ah Hock Zi Char", "Mdm Lim Household"}
