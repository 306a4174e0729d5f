<?php
/**
 * The settings page under Settings (Réglages): the service's address, the site credential, the webhook
 * secret, what to send, and a "test the connection" button. Constants in wp-config.php win.
 *
 * @package ModerationService
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Settings → Moderation service.
 */
class Moderation_Service_Settings {
	const PAGE  = 'moderation-service';
	const GROUP = 'moderation_service';

	/** Attach to wp-admin. */
	public function register() {
		add_action( 'admin_menu', array( $this, 'menu' ) );
		add_action( 'admin_init', array( $this, 'settings' ) );
		add_action( 'admin_post_moderation_service_test', array( $this, 'test_connection' ) );
	}

	/** The page, under Settings. */
	public function menu() {
		add_options_page(
			__( 'Moderation service', 'moderation-service' ),
			__( 'Moderation service', 'moderation-service' ),
			'manage_options',
			self::PAGE,
			array( $this, 'render' )
		);
	}

	/** The options, each with its sanitiser. */
	public function settings() {
		register_setting( self::GROUP, 'moderation_service_url', array( 'sanitize_callback' => 'esc_url_raw' ) );
		register_setting( self::GROUP, 'moderation_service_token', array( 'sanitize_callback' => array( $this, 'keep_secret' ) ) );
		register_setting( self::GROUP, 'moderation_service_webhook_secret', array( 'sanitize_callback' => array( $this, 'keep_webhook_secret' ) ) );
		register_setting( self::GROUP, 'moderation_service_logged_in', array( 'sanitize_callback' => array( $this, 'checkbox' ) ) );
		register_setting( self::GROUP, 'moderation_service_pings', array( 'sanitize_callback' => array( $this, 'checkbox' ) ) );
	}

	/**
	 * A secret field left empty keeps the saved secret (it is never shown again).
	 *
	 * @param string $value The submitted value.
	 * @return string
	 */
	public function keep_secret( $value ) {
		$value = trim( (string) $value );
		return '' === $value ? (string) get_option( 'moderation_service_token', '' ) : sanitize_text_field( $value );
	}

	/**
	 * As keep_secret, for the webhook secret(s).
	 *
	 * @param string $value The submitted value.
	 * @return string
	 */
	public function keep_webhook_secret( $value ) {
		$value = trim( (string) $value );
		return '' === $value ? (string) get_option( 'moderation_service_webhook_secret', '' ) : sanitize_text_field( $value );
	}

	/**
	 * A checkbox: '1' or '0'.
	 *
	 * @param mixed $value The submitted value.
	 * @return string
	 */
	public function checkbox( $value ) {
		return empty( $value ) ? '0' : '1';
	}

	/** "Test the connection": ask the service which site the credential is for. */
	public function test_connection() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'You are not allowed to do this.', 'moderation-service' ), 403 );
		}
		check_admin_referer( 'moderation_service_test' );
		if ( Moderation_Service_Client::configured() ) {
			list( $status, $body ) = Moderation_Service_Client::request( 'GET', '/api/v1/site' );
		} else {
			list( $status, $body ) = array( -1, array() );
		}
		if ( 200 === $status ) {
			$result = 'ok:' . ( isset( $body['site'] ) ? $body['site'] : '' );
		} elseif ( -1 === $status ) {
			$result = 'unset';
		} elseif ( 0 === $status ) {
			$result = 'unreachable';
		} else {
			$result = 'refused:' . $status;
		}
		wp_safe_redirect( add_query_arg( 'moderation_service_test', rawurlencode( $result ), admin_url( 'options-general.php?page=' . self::PAGE ) ) );
		exit;
	}

	/**
	 * What the last connection test found, as a notice.
	 *
	 * @param string $result ok:<site>, unset, unreachable or refused:<status>.
	 */
	private function test_result( $result ) {
		list( $kind, $detail ) = array_pad( explode( ':', $result, 2 ), 2, '' );
		if ( 'ok' === $kind ) {
			/* translators: %s: the site's name on the service */
			$text  = sprintf( __( 'Connected: the service knows this blog as “%s”.', 'moderation-service' ), $detail );
			$class = 'notice-success';
		} elseif ( 'unset' === $kind ) {
			$text  = __( 'Set the service address and the site credential first.', 'moderation-service' );
			$class = 'notice-warning';
		} elseif ( 'unreachable' === $kind ) {
			$text  = __( 'The service cannot be reached at this address (or did not answer within 3 seconds).', 'moderation-service' );
			$class = 'notice-error';
		} else {
			/* translators: %s: HTTP status */
			$text  = sprintf( __( 'The service refused the credential (HTTP %s). Create one with “moderation site create”.', 'moderation-service' ), $detail );
			$class = 'notice-error';
		}
		printf( '<div class="notice %s moderation-service-test"><p>%s</p></div>', esc_attr( $class ), esc_html( $text ) );
	}

	/**
	 * One text field, read-only when wp-config.php fixes it.
	 *
	 * @param string $name   The setting.
	 * @param string $label  Its label.
	 * @param string $type   text, url or password.
	 * @param string $help   A line of help.
	 */
	private function field( $name, $label, $type, $help ) {
		$constant = Moderation_Service_Client::is_constant( $name );
		$secret   = 'password' === $type;
		$value    = $secret ? '' : Moderation_Service_Client::setting( $name );
		$saved    = '' !== Moderation_Service_Client::setting( $name );
		echo '<tr><th scope="row"><label for="moderation_service_' . esc_attr( $name ) . '">' . esc_html( $label ) . '</label></th><td>';
		printf(
			'<input type="%s" class="regular-text" id="moderation_service_%s" name="moderation_service_%s" value="%s" placeholder="%s" %s autocomplete="off" />',
			esc_attr( $type ),
			esc_attr( $name ),
			esc_attr( $name ),
			esc_attr( $value ),
			esc_attr( $secret && $saved ? __( '(saved; leave empty to keep it)', 'moderation-service' ) : '' ),
			$constant ? 'disabled' : ''
		);
		if ( $constant ) {
			/* translators: %s: constant name */
			echo '<p class="description">' . esc_html( sprintf( __( 'Set in wp-config.php (%s).', 'moderation-service' ), 'MODERATION_SERVICE_' . strtoupper( $name ) ) ) . '</p>';
		}
		echo '<p class="description">' . esc_html( $help ) . '</p></td></tr>';
	}

	/**
	 * One checkbox.
	 *
	 * @param string $name  The setting.
	 * @param string $label Its label.
	 */
	private function checkbox_field( $name, $label ) {
		printf(
			'<label><input type="checkbox" name="moderation_service_%s" value="1" %s %s /> %s</label><br />',
			esc_attr( $name ),
			checked( '1', Moderation_Service_Client::setting( $name ), false ),
			Moderation_Service_Client::is_constant( $name ) ? 'disabled' : '',
			esc_html( $label )
		);
	}

	/** The page. */
	public function render() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html__( 'Moderation service', 'moderation-service' ) . '</h1>';
		if ( isset( $_GET['moderation_service_test'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification
			$this->test_result( sanitize_text_field( wp_unslash( $_GET['moderation_service_test'] ) ) ); // phpcs:ignore WordPress.Security.NonceVerification
		}
		echo '<p>' . esc_html__( 'Every comment posted on the blog is sent to your moderation service and stays pending until the service or a moderator decides. Decisions made here, on the Comments screen, are sent back to it, so it learns from them.', 'moderation-service' ) . '</p>';
		echo '<form method="post" action="options.php">';
		settings_fields( self::GROUP );
		echo '<table class="form-table" role="presentation">';
		$this->field( 'url', __( 'Service address', 'moderation-service' ), 'url', __( 'For example https://moderation.example.org', 'moderation-service' ) );
		$this->field( 'token', __( 'Site credential', 'moderation-service' ), 'password', __( 'The last line printed by “moderation site create NAME” on the service.', 'moderation-service' ) );
		$this->field( 'webhook_secret', __( 'Webhook secret', 'moderation-service' ), 'password', __( 'The secret of the service’s webhook to this blog; several, separated by commas, while you rotate it.', 'moderation-service' ) );
		echo '<tr><th scope="row">' . esc_html__( 'Send to the service', 'moderation-service' ) . '</th><td>';
		$this->checkbox_field( 'logged_in', __( 'Comments of logged-in users', 'moderation-service' ) );
		$this->checkbox_field( 'pings', __( 'Pingbacks and trackbacks', 'moderation-service' ) );
		echo '</td></tr>';
		echo '<tr><th scope="row">' . esc_html__( 'Webhook address', 'moderation-service' ) . '</th><td><code class="moderation-service-webhook">' . esc_html( rest_url( 'moderation-service/v1/events' ) ) . '</code>';
		echo '<p class="description">' . esc_html__( 'Give this address and the webhook secret to the service (its MODERATION_WEBHOOKS setting) so that its decisions reach the blog at once; the blog also asks for them every five minutes.', 'moderation-service' ) . '</p></td></tr>';
		echo '</table>';
		submit_button();
		echo '</form>';
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
		echo '<input type="hidden" name="action" value="moderation_service_test" />';
		wp_nonce_field( 'moderation_service_test' );
		submit_button( __( 'Test the connection', 'moderation-service' ), 'secondary', 'moderation-service-test', false );
		echo '</form></div>';
	}
}
