"""Money is integer fen (分) everywhere; these helpers only format it for people."""


def format_fen(amount_fen: int) -> str:
    """12345 -> '¥123.45'."""
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(int(amount_fen)), 100)
    return f"{sign}¥{yuan}.{fen:02d}"


def apply_rate_bp(amount_fen: int, rate_bp: int) -> int:
    """A rate in basis points (1000 = 10 %) applied to fen, rounded down to whole fen."""
    return int(amount_fen) * int(rate_bp) // 10000
