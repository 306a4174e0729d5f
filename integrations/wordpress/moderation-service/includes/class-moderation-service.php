<?php
/**
 * The plugin's behaviour: hold comments for the service, apply its decisions, send the blog's own.
 *
 * A comment the service should see is held in WordPress as pending before it is saved, marked "to send"
 * as soon as it has an id (so nothing is lost if the request dies), then sent. The service's decisions
 * arrive by signed webhook, and WP-cron asks for any it missed; decisions made in wp-admin go back once.
 * A decision applied from the service is never sent back (and the service ignores a decision a comment
 * already has), so the two sides never echo each other.
 *
 * @package ModerationService
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Hooks into WordPress's comment life cycle.
 */
class Moderation_Service {
	const META_ID       = '_moderation_service_id';
	const META_UNSENT   = '_moderation_service_unsent';
	const META_DECISION = '_moderation_service_decision';
	const CRON          = 'moderation_service_reconcile';
	const SCHEDULE      = 'moderation_service_five_minutes';
	const OPTIONS       = array(
		'moderation_service_url',
		'moderation_service_token',
		'moderation_service_webhook_secret',
		'moderation_service_logged_in',
		'moderation_service_pings',
		'moderation_service_cursor',
		'moderation_service_last_error',
		'moderation_service_seen_events',
	);
	/** How old a signed webhook may be (seconds): older is a replay. */
	const REPLAY_WINDOW = 300;
	/** Service status => WordPress status. */
	const TO_WORDPRESS = array(
		'approved' => 'approve',
		'spam'     => 'spam',
		'rejected' => 'trash',
	);
	/** WordPress status => service action. */
	const TO_SERVICE = array(
		'approved' => 'approve',
		'spam'     => 'spam',
		'trash'    => 'reject',
	);

	/** @var Moderation_Service|null */
	private static $instance = null;
	/** @var bool While a decision of the service is applied: not to be sent back. */
	private $applying = false;
	/** @var bool The comment being saved in this request was held for the service. */
	private $held = false;

	/**
	 * The one instance.
	 *
	 * @return Moderation_Service
	 */
	public static function instance() {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	/** Attach to WordPress. */
	public function register() {
		add_action( 'init', array( $this, 'load_textdomain' ) );
		add_filter( 'pre_comment_approved', array( $this, 'hold' ), 99, 2 );
		add_action( 'comment_post', array( $this, 'after_save' ), 10, 3 );
		add_action( 'transition_comment_status', array( $this, 'on_transition' ), 10, 3 );
		add_action( 'rest_api_init', array( $this, 'routes' ) );
		add_action( self::CRON, array( $this, 'reconcile' ) );
		add_filter( 'cron_schedules', array( __CLASS__, 'schedules' ) );
		add_action( 'admin_notices', array( $this, 'notice' ) );
	}

	/** Translations from the plugin's languages folder. */
	public function load_textdomain() {
		load_plugin_textdomain( 'moderation-service', false, dirname( plugin_basename( MODERATION_SERVICE_PLUGIN_FILE ) ) . '/languages' );
	}

	/**
	 * Every five minutes: WP-cron's reconciliation.
	 *
	 * @param array $schedules WordPress's schedules.
	 * @return array
	 */
	public static function schedules( $schedules ) {
		$schedules[ self::SCHEDULE ] = array(
			'interval' => 300,
			'display'  => __( 'Every five minutes', 'moderation-service' ),
		);
		return $schedules;
	}

	/** On activation: start the reconciliation. */
	public static function activate() {
		add_filter( 'cron_schedules', array( __CLASS__, 'schedules' ) );
		if ( ! wp_next_scheduled( self::CRON ) ) {
			wp_schedule_event( time() + 60, self::SCHEDULE, self::CRON );
		}
	}

	/** On deactivation: stop it (comments already held stay pending, as WordPress keeps them). */
	public static function deactivate() {
		wp_clear_scheduled_hook( self::CRON );
	}

	/**
	 * Whether this comment goes to the service: the plugin is configured, and logged-in users,
	 * pingbacks and trackbacks only when the settings say so.
	 *
	 * @param array $data The comment's data.
	 * @return bool
	 */
	private function wanted( $data ) {
		if ( ! Moderation_Service_Client::configured() ) {
			return false;
		}
		$type = isset( $data['comment_type'] ) ? $data['comment_type'] : 'comment';
		if ( in_array( $type, array( 'pingback', 'trackback' ), true ) && '1' !== Moderation_Service_Client::setting( 'pings' ) ) {
			return false;
		}
		if ( ! empty( $data['user_id'] ) && '1' !== Moderation_Service_Client::setting( 'logged_in' ) ) {
			return false;
		}
		return true;
	}

	/**
	 * Filter pre_comment_approved: hold the comment as pending ("en attente de modération") for the service.
	 * What WordPress itself already calls spam or trash (its disallowed keys) stays so.
	 *
	 * @param int|string|WP_Error $approved WordPress's verdict.
	 * @param array               $data     The comment's data.
	 * @return int|string|WP_Error
	 */
	public function hold( $approved, $data ) {
		$this->held = false;
		if ( is_wp_error( $approved ) || 'spam' === $approved || 'trash' === $approved || ! $this->wanted( $data ) ) {
			return $approved;
		}
		$this->held = true;
		return 0;
	}

	/**
	 * Action comment_post: mark the held comment "to send" first, then send it.
	 *
	 * @param int        $comment_id The new comment's id.
	 * @param int|string $approved   Its status.
	 */
	public function after_save( $comment_id, $approved ) {
		if ( ! $this->held || 0 !== (int) $approved ) {
			return;
		}
		$this->held = false;
		update_comment_meta( $comment_id, self::META_UNSENT, '1' );
		$this->deliver( $comment_id );
	}

	/**
	 * What the service needs about one comment, and nothing else.
	 *
	 * @param WP_Comment $comment The comment.
	 * @return array
	 */
	private function payload( $comment ) {
		$post    = get_post( $comment->comment_post_ID );
		$payload = array(
			'external_id' => (string) $comment->comment_ID,
			'post_id'     => (string) $comment->comment_post_ID,
			'post_title'  => $post ? html_entity_decode( wp_strip_all_tags( get_the_title( $post ) ), ENT_QUOTES, 'UTF-8' ) : '',
			'post_url'    => $post ? get_permalink( $post ) : '',
			'author'      => $comment->comment_author,
			'email'       => $comment->comment_author_email,
			'url'         => $comment->comment_author_url,
			'content'     => $comment->comment_content,
			'ip'          => $comment->comment_author_IP,
			'user_agent'  => $comment->comment_agent,
		);
		if ( $comment->comment_parent ) {
			$payload['parent_id'] = (string) get_comment_meta( $comment->comment_parent, self::META_ID, true );
		}
		return array_filter(
			$payload,
			function ( $value ) {
				return '' !== $value && null !== $value;
			}
		);
	}

	/**
	 * Send one comment. On success it carries the service's id; otherwise it stays pending and "to send",
	 * and WP-cron tries again (a retry is never stored twice: the service keys it on the comment's id).
	 *
	 * @param int $comment_id The comment.
	 * @return bool Whether the service has it.
	 */
	public function deliver( $comment_id ) {
		$comment = get_comment( $comment_id );
		if ( ! $comment ) {
			return false;
		}
		list( $status, $body ) = Moderation_Service_Client::request( 'POST', '/api/v1/site/comments', $this->payload( $comment ) );
		if ( 200 === $status || 202 === $status ) {
			update_comment_meta( $comment_id, self::META_ID, $body['id'] );
			delete_comment_meta( $comment_id, self::META_UNSENT );
			delete_option( 'moderation_service_last_error' );
			// Decided in wp-admin while the service was out of reach: that decision goes too.
			$action = $this->action_for( wp_get_comment_status( $comment ) );
			if ( $action ) {
				$this->send_decision( $comment_id, $action );
			}
			return true;
		}
		if ( $status >= 400 && $status < 500 && ! in_array( $status, array( 401, 403, 408, 429 ), true ) ) {
			// Refused for good (an invalid field): kept pending for a person, not retried.
			update_comment_meta( $comment_id, self::META_UNSENT, 'refused' );
		}
		$this->failed( $status, $body );
		return false;
	}

	/**
	 * Remember the last failure (shown in wp-admin) and make sure WP-cron comes back soon.
	 *
	 * @param int          $status HTTP status, 0 when unreachable.
	 * @param array|string $body   The answer or the error text.
	 */
	private function failed( $status, $body ) {
		$detail = is_array( $body ) ? ( isset( $body['message'] ) ? $body['message'] : '' ) : $body;
		update_option(
			'moderation_service_last_error',
			array(
				'at'     => time(),
				'status' => $status,
				'detail' => substr( (string) $detail, 0, 300 ),
			),
			false
		);
		if ( ! wp_next_scheduled( self::CRON ) ) {
			wp_schedule_event( time() + 60, self::SCHEDULE, self::CRON );
		}
	}

	/**
	 * The service's action for a WordPress status, or '' when there is none to send.
	 *
	 * @param string $wp_status approved, unapproved, spam, trash.
	 * @return string
	 */
	private function action_for( $wp_status ) {
		return isset( self::TO_SERVICE[ $wp_status ] ) ? self::TO_SERVICE[ $wp_status ] : '';
	}

	/**
	 * Action transition_comment_status: a decision made in wp-admin goes to the service (a label for it).
	 *
	 * @param string     $new_status The new status.
	 * @param string     $old_status The old status.
	 * @param WP_Comment $comment    The comment.
	 */
	public function on_transition( $new_status, $old_status, $comment ) {
		if ( $this->applying || $new_status === $old_status ) {
			return;
		}
		$action = $this->action_for( $new_status );
		if ( $action && get_comment_meta( $comment->comment_ID, self::META_ID, true ) ) {
			$this->send_decision( $comment->comment_ID, $action );
		}
	}

	/**
	 * Send one wp-admin decision; kept for WP-cron when the service cannot be reached.
	 *
	 * @param int    $comment_id The comment.
	 * @param string $action     approve, spam or reject.
	 */
	private function send_decision( $comment_id, $action ) {
		$ours = get_comment_meta( $comment_id, self::META_ID, true );
		$user = wp_get_current_user();
		$body = array( 'action' => $action );
		if ( $user && $user->exists() ) {
			$body['by'] = $user->user_login;
		}
		list( $status, $answer ) = Moderation_Service_Client::request( 'POST', '/api/v1/site/comments/' . rawurlencode( $ours ) . '/decision', $body );
		if ( 200 === $status || 404 === $status ) {
			delete_comment_meta( $comment_id, self::META_DECISION );
			return;
		}
		update_comment_meta( $comment_id, self::META_DECISION, $action );
		$this->failed( $status, $answer );
	}

	/** The events route, at /wp-json/moderation-service/v1/events (or ?rest_route=/moderation-service/v1/events). */
	public function routes() {
		register_rest_route(
			'moderation-service/v1',
			'/events',
			array(
				'methods'             => 'POST',
				'callback'            => array( $this, 'event' ),
				'permission_callback' => '__return_true', // The signature is the permission: checked in event().
			)
		);
	}

	/**
	 * Whether a webhook is ours: one of the configured secrets (comma-separated, for rotation) signed
	 * "<timestamp>.<body>", and the timestamp is recent.
	 *
	 * @param string $timestamp X-Moderation-Timestamp.
	 * @param string $header    X-Moderation-Signature: v1=<hex>[,v1=<hex>...].
	 * @param string $body      The raw body.
	 * @return bool
	 */
	public static function signed( $timestamp, $header, $body ) {
		if ( ! ctype_digit( (string) $timestamp ) || abs( time() - (int) $timestamp ) > self::REPLAY_WINDOW ) {
			return false;
		}
		$secrets = array_filter( array_map( 'trim', explode( ',', Moderation_Service_Client::setting( 'webhook_secret' ) ) ) );
		foreach ( $secrets as $secret ) {
			$expected = 'v1=' . hash_hmac( 'sha256', $timestamp . '.' . $body, $secret );
			foreach ( explode( ',', (string) $header ) as $given ) {
				if ( hash_equals( $expected, trim( $given ) ) ) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * A signed event from the service: a decision to apply. Each event id is applied once.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response
	 */
	public function event( $request ) {
		$body = $request->get_body();
		if ( '' === Moderation_Service_Client::setting( 'webhook_secret' ) ) {
			return new WP_REST_Response( array( 'error' => 'no webhook secret configured' ), 503 );
		}
		if ( ! self::signed( $request->get_header( 'x_moderation_timestamp' ), $request->get_header( 'x_moderation_signature' ), $body ) ) {
			return new WP_REST_Response( array( 'error' => 'bad signature or stale timestamp' ), 401 );
		}
		$event = json_decode( $body, true );
		if ( ! is_array( $event ) || empty( $event['id'] ) || empty( $event['comment'] ) ) {
			return new WP_REST_Response( array( 'error' => 'not an event' ), 400 );
		}
		$seen = get_option( 'moderation_service_seen_events', array() );
		if ( in_array( $event['id'], $seen, true ) ) {
			return new WP_REST_Response( array( 'status' => 'already applied' ), 200 );
		}
		$comment = $event['comment'];
		$status  = isset( $comment['status'] ) ? $comment['status'] : '';
		if ( 0 === strpos( (string) $event['type'], 'comment.' ) && isset( $comment['external_id'], $comment['id'] ) ) {
			$type   = substr( $event['type'], strlen( 'comment.' ) );
			$status = isset( self::TO_WORDPRESS[ $type ] ) ? $type : $status;
			$this->apply( (string) $comment['id'], (string) $comment['external_id'], $status );
		}
		$seen[] = $event['id'];
		update_option( 'moderation_service_seen_events', array_slice( $seen, -500 ), false );
		return new WP_REST_Response( array( 'status' => 'applied' ), 200 );
	}

	/**
	 * Apply the service's decision to the blog's comment, unless it already has it.
	 *
	 * @param string $ours        The service's comment id.
	 * @param string $external_id The WordPress comment id.
	 * @param string $status      approved, rejected or spam (anything else is ignored).
	 * @return bool Whether the comment changed.
	 */
	public function apply( $ours, $external_id, $status ) {
		if ( ! isset( self::TO_WORDPRESS[ $status ] ) || ! ctype_digit( $external_id ) ) {
			return false;
		}
		$comment = get_comment( (int) $external_id );
		if ( ! $comment ) {
			return false;
		}
		$known = get_comment_meta( $comment->comment_ID, self::META_ID, true );
		if ( $known !== $ours ) {
			if ( '' !== $known || '' === get_comment_meta( $comment->comment_ID, self::META_UNSENT, true ) ) {
				return false; // Not the comment the service means.
			}
			// The service stored it but its answer was lost (a time-out): now we know its id.
			update_comment_meta( $comment->comment_ID, self::META_ID, $ours );
			delete_comment_meta( $comment->comment_ID, self::META_UNSENT );
		}
		$target = self::TO_WORDPRESS[ $status ];
		$now    = wp_get_comment_status( $comment );
		if ( ( 'approve' === $target && 'approved' === $now ) || $target === $now ) {
			return false;
		}
		$this->applying = true;
		try {
			wp_set_comment_status( $comment->comment_ID, $target );
		} finally {
			$this->applying = false;
		}
		return true;
	}

	/**
	 * WP-cron: send what could not be sent, then ask the service for decisions a webhook may have missed.
	 */
	public function reconcile() {
		if ( ! Moderation_Service_Client::configured() ) {
			return;
		}
		$unsent = get_comments(
			array(
				'meta_key'   => self::META_UNSENT, // phpcs:ignore WordPress.DB.SlowDBQuery
				'meta_value' => '1', // phpcs:ignore WordPress.DB.SlowDBQuery
				'status'     => 'all',
				'number'     => 100,
				'fields'     => 'ids',
			)
		);
		foreach ( $unsent as $comment_id ) {
			if ( ! $this->deliver( $comment_id ) ) {
				return; // Still out of reach: next time.
			}
		}
		$decisions = get_comments(
			array(
				'meta_key' => self::META_DECISION, // phpcs:ignore WordPress.DB.SlowDBQuery
				'status'   => 'all',
				'number'   => 100,
				'fields'   => 'ids',
			)
		);
		foreach ( $decisions as $comment_id ) {
			$this->send_decision( $comment_id, get_comment_meta( $comment_id, self::META_DECISION, true ) );
		}
		for ( $page = 0; $page < 20; $page++ ) {
			$cursor              = (string) get_option( 'moderation_service_cursor', '' );
			list( $status, $body ) = Moderation_Service_Client::request( 'GET', '/api/v1/site/decisions?limit=200&since=' . rawurlencode( $cursor ) );
			if ( 200 !== $status ) {
				$this->failed( $status, $body );
				return;
			}
			foreach ( $body['items'] as $item ) {
				$this->apply( (string) $item['id'], (string) $item['external_id'], (string) $item['status'] );
			}
			update_option( 'moderation_service_cursor', $body['next_cursor'], false );
			if ( count( $body['items'] ) < 200 ) {
				return;
			}
		}
	}

	/** In wp-admin: say when comments wait to be sent, and why. */
	public function notice() {
		if ( ! current_user_can( 'moderate_comments' ) ) {
			return;
		}
		if ( ! Moderation_Service_Client::configured() ) {
			printf(
				'<div class="notice notice-warning"><p>%s</p></div>',
				esc_html__( 'Moderation service: no service address or credential yet. Comments are moderated by WordPress alone until you set them (Settings → Moderation service).', 'moderation-service' )
			);
			return;
		}
		$waiting = get_comments(
			array(
				'meta_key' => self::META_UNSENT, // phpcs:ignore WordPress.DB.SlowDBQuery
				'status'   => 'all',
				'count'    => true,
			)
		);
		if ( ! $waiting ) {
			return;
		}
		$error = get_option( 'moderation_service_last_error', array() );
		printf(
			'<div class="notice notice-error moderation-service-unsent"><p>%s %s</p></div>',
			esc_html(
				sprintf(
					/* translators: %d: number of comments */
					_n(
						'Moderation service unreachable: %d comment waits to be sent. It stays pending (not published) and is sent automatically when the service answers.',
						'Moderation service unreachable: %d comments wait to be sent. They stay pending (not published) and are sent automatically when the service answers.',
						$waiting,
						'moderation-service'
					),
					$waiting
				)
			),
			esc_html( isset( $error['detail'] ) && $error['detail'] ? '(' . $error['detail'] . ')' : '' )
		);
	}
}
