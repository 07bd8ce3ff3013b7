import { expect } from 'chai';
import { isAccessRefused, isTransientError } from '../../lib/errors';

/** An error as pg raises it: the server's SQLSTATE in `code`. */
function postgresError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('access refused (credentials and rights are configuration, not outages)', () => {
  for (const [code, message] of [
    ['28000', 'role "no_such_role_xyz" does not exist'],
    ['28P01', 'password authentication failed for user "orders"'],
    ['42501', 'permission denied to create database'],
    ['3D000', 'database "postgres" does not exist'],
  ] as const) {
    it(`given PostgreSQL answers ${code}, when classified, then access is refused and it is not transient`, () => {
      const error = postgresError(code, message);

      expect(isAccessRefused(error)).to.equal(true);
      expect(isTransientError(error)).to.equal(false);
    });
  }

  it('given RabbitMQ refuses the login during the handshake, when classified, then access is refused', () => {
    const error = new Error(
      'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."',
    );

    expect(isAccessRefused(error)).to.equal(true);
  });

  it('given RabbitMQ refuses the virtual host, when classified, then access is refused', () => {
    const error = new Error(
      "Expected ConnectionOpenOk; got <ConnectionClose channel:0 replyCode:530 replyText:NOT_ALLOWED - access to vhost 'orders' refused for user 'app'>",
    );

    expect(isAccessRefused(error)).to.equal(true);
  });

  for (const error of [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    postgresError('57P03', 'the database system is starting up'),
    new Error('Connection closed: 320 (CONNECTION-FORCED)'),
    'ACCESS_REFUSED as a string, not an error',
  ]) {
    it(`given ${String(error)}, when classified, then access is not refused`, () => {
      expect(isAccessRefused(error)).to.equal(false);
    });
  }
});
