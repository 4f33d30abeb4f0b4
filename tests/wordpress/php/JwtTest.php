<?php
/**
 * Tests of the plugin's HS256 JWT signer.
 *
 * @package shopchat-tests
 */

use PHPUnit\Framework\TestCase;

/**
 * Shopchat_JWT.
 */
final class JwtTest extends TestCase {

	const SECRET = 's3cret-s3cret-s3cret';

	/**
	 * Decodes one base64url segment.
	 *
	 * @param string $segment Segment.
	 * @return string Bytes.
	 */
	private static function segment( string $segment ): string {
		return base64_decode( strtr( $segment, '-_', '+/' ) . str_repeat( '=', ( 4 - strlen( $segment ) % 4 ) % 4 ), true );
	}

	public function test_matches_a_vector_computed_independently_in_python(): void {
		$claims = array(
			'iss' => 'site_abc',
			'sub' => '42',
			'iat' => 1700000000,
			'exp' => 1700000900,
		);
		$this->assertSame(
			'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzaXRlX2FiYyIsInN1YiI6IjQyIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDA5MDB9.5vgSIQ9_X2RrQlsVUv_6HxraR89hvGuO6-DxfRlqNt8',
			Shopchat_JWT::encode( $claims, self::SECRET )
		);
	}

	public function test_header_is_exactly_hs256_jwt(): void {
		$parts = explode( '.', Shopchat_JWT::encode( array( 'sub' => '1' ), self::SECRET ) );
		$this->assertCount( 3, $parts );
		$this->assertSame( '{"alg":"HS256","typ":"JWT"}', self::segment( $parts[0] ) );
	}

	public function test_segments_are_base64url_without_padding(): void {
		// Bytes that standard base64 writes with "+", "/" and "=".
		$token = Shopchat_JWT::encode( array( 'name' => "\u{FFFD}>>>???~~~", 'n' => 'ab' ), self::SECRET );
		foreach ( explode( '.', $token ) as $segment ) {
			$this->assertMatchesRegularExpression( '/^[A-Za-z0-9_-]+$/', $segment );
		}
	}

	public function test_signature_is_hmac_sha256_of_header_dot_payload(): void {
		$token = Shopchat_JWT::encode( array( 'sub' => '7' ), self::SECRET );
		list( $header, $payload, $signature ) = explode( '.', $token );
		$expected = hash_hmac( 'sha256', $header . '.' . $payload, self::SECRET, true );
		$this->assertSame( $expected, self::segment( $signature ) );
	}

	public function test_another_secret_gives_another_signature(): void {
		$claims = array( 'sub' => '7' );
		$this->assertNotSame(
			explode( '.', Shopchat_JWT::encode( $claims, self::SECRET ) )[2],
			explode( '.', Shopchat_JWT::encode( $claims, self::SECRET . 'x' ) )[2]
		);
	}

	public function test_claims_round_trip_with_unicode_and_slashes_unescaped(): void {
		$claims = array(
			'name' => 'Jürgen Müller',
			'page' => array(
				'url'   => 'https://shop.example/produkt/ä?x=1',
				'title' => 'Käse & Brot',
			),
			'cart' => array(
				'items' => array(),
				'total' => '0.00',
			),
		);
		$payload = self::segment( explode( '.', Shopchat_JWT::encode( $claims, self::SECRET ) )[1] );
		$this->assertStringContainsString( 'https://shop.example/produkt/ä', $payload );
		$this->assertSame( $claims, json_decode( $payload, true ) );
	}

	public function test_empty_claims_encode_as_a_json_object(): void {
		$payload = self::segment( explode( '.', Shopchat_JWT::encode( array(), self::SECRET ) )[1] );
		$this->assertSame( '{}', $payload );
	}

	public function test_empty_secret_is_refused(): void {
		$this->expectException( InvalidArgumentException::class );
		Shopchat_JWT::encode( array( 'sub' => '1' ), '' );
	}

	public function test_claims_that_are_not_utf8_are_refused(): void {
		$this->expectException( InvalidArgumentException::class );
		Shopchat_JWT::encode( array( 'name' => "\xB1\x31" ), self::SECRET );
	}
}
