"""Denormalized ratings (a freelancer's and a company's `rating_avg`, `rating_count`, `rating_sum`), changed in
one UPDATE statement so that concurrent publications never lose one another (docs/benchmarks.md, "Ratings").

PostgreSQL evaluates every SET expression against the row it has locked for the UPDATE, and under READ
COMMITTED re-reads the newest committed version when another transaction changed it first: twenty concurrent
`count = count + 1` make twenty. The average is recomputed from the exact integer sum in the same statement,
never from the previous (rounded) average."""

from django.db.models import DecimalField, Expression, F

RATING_AVERAGE_HELP = (
    'Average of the published, visible reviews\' 1-5 stars, to 2 decimals ("0.00" while `rating_count` is 0).'
)
RATING_COUNT_HELP = "Published, visible reviews counted in `rating_average`."


class RatingAverage(Expression):
    """ROUND(stars / count, 2) in exact arithmetic, 0 when `count` is 0. Both are integer expressions."""

    output_field = DecimalField(max_digits=3, decimal_places=2)

    def __init__(self, stars, count):
        super().__init__()
        self.stars, self.count = stars, count

    def get_source_expressions(self):
        return [self.stars, self.count]

    def set_source_expressions(self, expressions):
        self.stars, self.count = expressions

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        copy = self.copy()
        copy.stars = self.stars.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        copy.count = self.count.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return copy

    def as_sql(self, compiler, connection):
        stars_sql, stars_params = compiler.compile(self.stars)
        count_sql, count_params = compiler.compile(self.count)
        # SQLite's NUMERIC keeps integers integral (9 / 2 = 4): REAL there; PostgreSQL's numeric is exact.
        kind = "REAL" if connection.vendor == "sqlite" else "NUMERIC"
        sql = f"COALESCE(ROUND(CAST({stars_sql} AS {kind}) / NULLIF({count_sql}, 0), 2), 0)"
        return sql, (*stars_params, *count_params)


def rating_change(*, stars: int, count: int) -> dict:
    """The `update()` keyword arguments that add `stars` (a sum of 1-5 ratings, negative to take away) and
    `count` reviews to a row's rating in one statement: `Model.objects.filter(pk=...).update(**rating_change(...))`.
    The row lock is the UPDATE's own, held until the caller's transaction ends."""
    return {
        "rating_sum": F("rating_sum") + stars,
        "rating_count": F("rating_count") + count,
        "rating_avg": RatingAverage(F("rating_sum") + stars, F("rating_count") + count),
    }
