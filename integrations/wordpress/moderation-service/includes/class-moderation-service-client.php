<?php
/**
 * The service's HTTP API, as the plugin uses it: a site credential, a short time-out, JSON both ways.
 *
 * @package ModerationService
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * One place that knows the service's address, credential and time-out.
 */
class Moderation_Service_Client {
	/** Never keep a reader waiting on us longer than this: on time-out the comment stays pending and is retried. */
	const TIMEOUT_SECONDS = 3;

	/**
	 * A setting: the wp-config.php constant wins over the option saved on the settings page.
	 *
	 * @param string $name url, token, webhook_secret, logged_in or pings.
	 * @return string
	 */
	public static function setting( $name ) {
		$constant = 'MODERATION_SERVICE_' . strtoupper( $name );
		if ( defined( $constant ) ) {
			return (string) constant( $constant );
		}
		$defaults = array(
			'url'            => '',
			'token'          => '',
			'webhook_secret' => '',
			'logged_in'      => '0',
			'pings'          => '0',
		);
		return (string) get_option( 'moderation_service_' . $name, isset( $defaults[ $name ] ) ? $defaults[ $name ] : '' );
	}

	/**
	 * Whether the setting is fixed in wp-config.php (the settings page then shows it read-only).
	 *
	 * @param string $name The setting.
	 * @return bool
	 */
	public static function is_constant( $name ) {
		return defined( 'MODERATION_SERVICE_' . strtoupper( $name ) );
	}

	/**
	 * Whether there is somewhere to send comments.
	 *
	 * @return bool
	 */
	public static function configured() {
		return '' !== self::setting( 'url' ) && '' !== self::setting( 'token' );
	}

	/**
	 * One request. Returns array( HTTP status or 0 when unreachable, decoded JSON body or error text ).
	 *
	 * @param string     $method GET or POST.
	 * @param string     $path   Path under the service's address, e.g. /api/v1/site.
	 * @param array|null $body   JSON body.
	 * @return array
	 */
	public static function request( $method, $path, $body = null ) {
		$args = array(
			'method'  => $method,
			'timeout' => self::TIMEOUT_SECONDS,
			'headers' => array(
				'Authorization'   => 'Bearer ' . self::setting( 'token' ),
				'Accept'          => 'application/json',
				'Accept-Language' => 0 === strpos( get_locale(), 'fr' ) ? 'fr' : 'en',
			),
		);
		if ( null !== $body ) {
			$args['headers']['Content-Type'] = 'application/json';
			$args['body']                    = wp_json_encode( $body );
		}
		$response = wp_remote_request( untrailingslashit( self::setting( 'url' ) ) . $path, $args );
		if ( is_wp_error( $response ) ) {
			return array( 0, $response->get_error_message() );
		}
		$decoded = json_decode( wp_remote_retrieve_body( $response ), true );
		return array( (int) wp_remote_retrieve_response_code( $response ), is_array( $decoded ) ? $decoded : array() );
	}
}
