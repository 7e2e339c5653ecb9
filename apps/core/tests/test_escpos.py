from apps.core.escpos import WIDTH, row, rule


def test_row_fills_the_line_and_keeps_the_right_column_whole():
    assert row("Total", "12") == "Total" + " " * (WIDTH - 7) + "12\n"
    long = row("A customer name far too long for one receipt line", "1,234.50")
    assert len(long) == WIDTH + 1 and long.endswith(" 1,234.50\n")
    assert rule() == "-" * WIDTH + "\n"
