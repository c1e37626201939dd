from decimal import Decimal

from catalog.models import Product


def cart_lines(session_cart) -> list[dict]:
    """Session cart {product_id: qty} → list of plain dicts with totals."""
    products = Product.objects.in_bulk([int(pk) for pk in session_cart])
    lines = []
    for pk, qty in session_cart.items():
        product = products.get(int(pk))
        if product is None:
            continue
        lines.append(
            {
                "id": product.pk,
                "name": product.name,
                "quantity": qty,
                "unit_price": str(product.price),
                "total": str(product.price * qty),
            }
        )
    return lines


def cart_total(lines) -> str:
    return str(sum((Decimal(line["total"]) for line in lines), Decimal("0.00")))
