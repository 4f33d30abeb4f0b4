"""The demo shop that ``shopchat serve --demo`` seeds, so a newcomer can chat at once."""
