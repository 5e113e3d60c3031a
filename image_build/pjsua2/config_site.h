/* Callbox: compile-time limits of pjproject for a call-center appliance.
 *
 * Stock pjproject (and every PyPI pjsua2 wheel) is sized for a handset: 4 calls,
 * 32 players and recorders, 254 conference ports, a select() ioqueue capped at
 * 64 sockets. Callbox anchors every leg, player and recorder in one engine, so
 * these limits are raised together: one call leg owns two sockets (RTP and RTCP)
 * and one conference port, and each queued caller may hold a prompt player and a
 * recorder of its own.
 */

/* Calls, players and recorders: the runtime limits (UaConfig.maxCalls and the
 * like) can only lower these. */
#define PJSUA_MAX_CALLS                 1024
#define PJSUA_MAX_PLAYERS               1024
#define PJSUA_MAX_RECORDERS             1024
#define PJSUA_MAX_ACC                   32

/* Every call, player and recorder is a conference port, plus analog channels
 * (up to 64 on the largest board) and a margin for supervisors' taps. */
#define PJSUA_MAX_CONF_PORTS            (PJSUA_MAX_CALLS + PJSUA_MAX_PLAYERS + \
                                         PJSUA_MAX_RECORDERS + 128)

/* The bridge mixes at 8 kHz by default: nearly every leg is G.711 or an analog
 * line, and a 16 kHz mixer costs about four times the CPU for no audible gain.
 * Wideband legs (G.722, Opus) are resampled at their port. */
#define PJSUA_DEFAULT_CLOCK_RATE        8000

/* Mixing on more than one core is chosen at run time (MediaConfig.confThreads);
 * the parallel backend has to be compiled in for that. */
#define PJMEDIA_CONF_BACKEND            PJMEDIA_CONF_PARALLEL_BRIDGE_BACKEND

/* Two media sockets per call, SIP transports, and headroom: beyond FD_SETSIZE,
 * which is why the build uses the epoll ioqueue. */
#define PJ_IOQUEUE_MAX_HANDLES          (4 * PJSUA_MAX_CALLS)
#define PJ_IOQUEUE_MAX_EVENTS_IN_SINGLE_POLL 64

/* SIP transactions and dialogs: each B2BUA call is two dialogs (one per leg
 * towards the edge), with INVITE, re-INVITE, BYE and OPTIONS in flight. */
#define PJSIP_MAX_TSX_COUNT             (8 * PJSUA_MAX_CALLS - 1)
#define PJSIP_MAX_DIALOG_COUNT          (4 * PJSUA_MAX_CALLS - 1)
#define PJSIP_TPMGR_HTABLE_SIZE         257

/* The engine talks SIP only to the edge, over loopback, where no MTU limits a
 * datagram. pjsip would move requests over 1300 bytes to TCP (RFC 3261 18.1.1),
 * and the edge knows the engine by its UDP source port: a TCP connection comes
 * from an ephemeral port and would be challenged like any stranger. */
#define PJSIP_DONT_SWITCH_TO_TCP        1

/* An appliance has no camera, screen or sound card. */
#define PJMEDIA_HAS_VIDEO               0
#define PJSUA_MAX_BUDDIES               32
