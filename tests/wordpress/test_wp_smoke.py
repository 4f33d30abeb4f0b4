from wp_harness import WordPress


def test_home_page_renders(wordpress: WordPress) -> None:
    with wordpress.client() as client:
        response = client.get("/")
    assert response.status_code == 200
    assert "shopchat test shop" in response.text
