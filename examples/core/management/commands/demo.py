"""``python manage.py demo``: create the SQLite database, load the demo catalog and serve
the shop with Daphne (HTTP and WebSockets) on http://127.0.0.1:8000/."""

from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.models import Category, Product

CATEGORIES = {
    "rope": "Rope & Line",
    "hardware": "Deck Hardware",
    "safety": "Safety",
    "paint": "Paint & Care",
}

# (category, name, price, stock); SKUs and the featured flag are derived.
PRODUCTS = [
    ("rope", "Braided dock line, 3/8in", "24.50", 40),
    ("rope", "Braided dock line, 1/2in", "32.00", 25),
    ("rope", "Three-strand anchor rode", "89.95", 8),
    ("rope", "Dyneema soft shackle", "18.75", 0),
    ("rope", "Shock cord, 1/4in per metre", "2.10", 300),
    ("hardware", "Stainless cleat, 6in", "21.30", 16),
    ("hardware", "Bronze cleat, 8in", "64.00", 3),
    ("hardware", "Snatch block", "47.25", 11),
    ("hardware", "Fender hanger", "9.99", 0),
    ("hardware", "Swivel shackle", "12.40", 52),
    ("safety", "Inflatable life jacket", "149.00", 12),
    ("safety", "Throwable cushion", "34.95", 20),
    ("safety", "Flare kit", "59.50", 6),
    ("safety", "First-aid kit, offshore", "119.00", 4),
    ("paint", "Antifouling paint, 1 gal", "189.00", 9),
    ("paint", "Teak oil", "22.80", 30),
    ("paint", "Hull cleaner", "16.45", 0),
    ("paint", "Varnish brush set", "14.20", 18),
]


class Command(BaseCommand):
    help = "Migrate, load the demo catalog and run the shop with Daphne (HTTP + WebSockets)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="set up the database and stop")

    def handle(self, *args, addrport, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        created = load_catalog()
        self.stdout.write(f"Demo catalog: {Product.objects.count()} products ({created} new).")
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)


@transaction.atomic
def load_catalog():
    """Create the demo categories and products that are missing; return how many
    products were created."""
    categories = {
        slug: Category.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in CATEGORIES.items()
    }
    created = 0
    for n, (slug, name, price, stock) in enumerate(PRODUCTS, start=1):
        _, new = Product.objects.get_or_create(
            sku=f"HS-{n:04d}",
            defaults={
                "category": categories[slug],
                "name": name,
                "price": Decimal(price),
                "stock": stock,
                "featured": n % 5 == 1,
                "description": f"{name} from the Harbor Supply demo catalog.",
            },
        )
        created += new
    return created
