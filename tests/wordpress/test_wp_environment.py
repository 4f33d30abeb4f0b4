"""The test WordPress itself stays quiet: it never tries to call WordPress.org.

Its update checks run from admin requests (admin-ajax.php, which the plugin's identity
refresh uses, and the admin screens) whenever their twelve-hour cache is cold; here the
request fails and WordPress logs a PHP warning, which failed an unrelated test at random.
The test environment's must-use plugin turns the checks off.
"""

from __future__ import annotations

import pytest

from tests.wordpress.wp_harness import WordPress

UPDATE_CACHES = ("update_core", "update_plugins", "update_themes")


@pytest.mark.parametrize("path", ["/wp-admin/admin-ajax.php", "/wp-admin/plugins.php"])
def test_admin_requests_with_cold_update_caches_stay_quiet(wp: WordPress, path: str) -> None:
    wp.php("".join(f"delete_site_transient( '{name}' );" for name in UPDATE_CACHES))
    with wp.admin() as admin:
        response = admin.get(path)
    assert response.status_code in (200, 400)  # admin-ajax without an action answers 400
    assert wp.php_json("wp_next_scheduled( 'wp_version_check' )") is False
    # The wp fixture fails the test if the request logged a PHP warning or notice.
