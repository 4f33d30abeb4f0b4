<?php
/**
 * PHPUnit bootstrap: loads the plugin's WordPress-free classes.
 *
 * @package shopchat-tests
 */

define( 'SHOPCHAT_TESTING', true );

$shopchat_includes = dirname( __DIR__, 3 ) . '/wordpress-plugin/includes';
require_once $shopchat_includes . '/class-shopchat-jwt.php';
require_once $shopchat_includes . '/class-shopchat-customer-rule.php';
