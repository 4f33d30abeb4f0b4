<?php
/**
 * HS256 JSON Web Token signer (RFC 7519), kept free of WordPress calls so that
 * it can be unit-tested on its own.
 *
 * @package shopchat
 */

defined( 'ABSPATH' ) || defined( 'SHOPCHAT_TESTING' ) || exit;

/**
 * Signs compact JWTs with HMAC-SHA256.
 */
final class Shopchat_JWT {

	/**
	 * The only header this signer writes; the chat server accepts HS256 only.
	 */
	const HEADER = array(
		'alg' => 'HS256',
		'typ' => 'JWT',
	);

	/**
	 * Returns header.payload.signature for the given claims.
	 *
	 * @param array  $claims Claims to sign; must encode as a JSON object.
	 * @param string $secret The shared secret (the site's identity secret).
	 * @return string The compact token.
	 * @throws InvalidArgumentException When the secret is empty or the claims cannot be encoded.
	 */
	public static function encode( array $claims, string $secret ): string {
		if ( '' === $secret ) {
			throw new InvalidArgumentException( 'The JWT secret must not be empty.' );
		}
		$signing_input = self::base64url_encode( self::json( self::HEADER ) ) . '.'
			. self::base64url_encode( self::json( (object) $claims ) );
		$signature     = hash_hmac( 'sha256', $signing_input, $secret, true );
		return $signing_input . '.' . self::base64url_encode( $signature );
	}

	/**
	 * Base64url without padding (RFC 7515, section 2).
	 *
	 * @param string $data Raw bytes.
	 * @return string Encoded text.
	 */
	public static function base64url_encode( string $data ): string {
		return rtrim( strtr( base64_encode( $data ), '+/', '-_' ), '=' ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
	}

	/**
	 * Encodes a value as compact JSON, failing loudly instead of signing "false".
	 *
	 * @param mixed $value Value to encode.
	 * @return string JSON text.
	 * @throws InvalidArgumentException When the value cannot be encoded.
	 */
	private static function json( $value ): string {
		try {
			return json_encode( $value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR ); // phpcs:ignore WordPress.WP.AlternativeFunctions.json_encode_json_encode
		} catch ( JsonException $e ) {
			throw new InvalidArgumentException( 'The JWT claims cannot be encoded as JSON: ' . $e->getMessage(), 0, $e );
		}
	}
}
