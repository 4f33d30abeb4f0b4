<?php
/**
 * Signs claims with the plugin's JWT signer, for the cross-language tests.
 * Usage: php sign-token.php SECRET < claims.json
 *
 * @package shopchat-tests
 */

define( 'SHOPCHAT_TESTING', true );
require_once dirname( __DIR__, 3 ) . '/wordpress-plugin/includes/class-shopchat-jwt.php';

$claims = json_decode( stream_get_contents( STDIN ), true, 512, JSON_THROW_ON_ERROR );
echo Shopchat_JWT::encode( $claims, $argv[1] );
