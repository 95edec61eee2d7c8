"""Word lists the demo shop is made of (names, places, a small outdoor-gear catalogue)."""

from __future__ import annotations

FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "James",
    "Mia", "Lucas", "Amelia", "Mateo", "Harper", "Ethan", "Evelyn", "Aiden", "Léa", "Jonas",
    "Sofía", "Hugo", "Freya", "Ravi", "Aiko", "Kwame", "Ingrid", "Tomás", "Zoe", "Yusuf",
)  # fmt: skip

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martinez",
    "Lopez", "Wilson", "Anderson", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Müller",
    "Dubois", "Rossi", "Nakamura", "Okafor", "Novak", "Silva", "Kowalski", "Larsen", "Patel",
)  # fmt: skip

PLACES = (
    ("Boston", "United States"), ("Denver", "United States"), ("Seattle", "United States"),
    ("Toronto", "Canada"), ("Vancouver", "Canada"), ("London", "United Kingdom"),
    ("Manchester", "United Kingdom"), ("Berlin", "Germany"), ("Munich", "Germany"),
    ("Lyon", "France"), ("Amsterdam", "Netherlands"), ("Oslo", "Norway"), ("Madrid", "Spain"),
    ("Melbourne", "Australia"), ("Dublin", "Ireland"),
)  # fmt: skip

MAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")

# (category, base names, price range)
CATALOGUE = (
    ("Tents", ("Ridge 2P Tent", "Summit 4P Tent", "Ultralight Tarp", "Basecamp Dome"), (89, 420)),
    ("Packs", ("Trail 28L Daypack", "Alpine 45L Pack", "Trek 65L Pack", "Race Vest"), (39, 260)),
    ("Sleeping", ("Down Sleeping Bag", "Synthetic Quilt", "Air Pad", "Camp Pillow"), (19, 380)),
    ("Cooking", ("Titanium Pot", "Canister Stove", "Spork Set", "Water Filter"), (9, 140)),
    ("Apparel", ("Rain Shell", "Fleece Hoodie", "Merino Base Layer", "Trail Socks"), (14, 320)),
    ("Footwear", ("Trail Runner", "Hiking Boot", "Camp Sandal", "Gaiters"), (29, 240)),
    ("Lighting", ("Headlamp 400", "Camp Lantern", "Solar Charger"), (19, 130)),
)  # fmt: skip

COLOURS = ("Slate", "Forest", "Sunset", "Glacier", "Sand", "Charcoal", "Ember")
