import { expect } from 'chai';
import { Command, Reply, commandIdOf } from '../../sagas/contracts/messages';
import { retryNotice } from '../../workers/runtime/replies';

const sagaId = '3b241101-e2bb-4255-8caf-4136c566a962';

/** payment.authorize as the coordinator sends it; every send has a message id of its own. */
function authorize(messageId: string): Command {
  return {
    message_id: messageId,
    type: 'payment.authorize',
    saga_id: sagaId,
    order_id: 'order-999',
    step: 'payment',
    attempt: 1,
    correlation_id: sagaId,
    causation_id: null,
    occurred_at: '2026-11-24T10:00:00.000Z',
    data: { command_id: commandIdOf(sagaId, 'payment.authorize'), amount: 2000 },
  };
}

const failure = { retry: 1, delayMs: 5000, code: 'SIMULATED_ERROR', message: 'forced failure' };

function noticeOf(command: Command, retry = failure) {
  const message = retryNotice(command, retry);
  return { message, body: JSON.parse(message.body.toString()) as Reply };
}

describe('retry notice', () => {
  it('given a command re-sent after a replay (same command id, new message id), when its first retry is noticed, then the notice id differs from the one before the replay', () => {
    // Arrange
    const first = authorize('5f0c1c1e-0000-4000-8000-000000000001');
    const replayed = authorize('5f0c1c1e-0000-4000-8000-000000000002');

    // Act
    const before = noticeOf(first);
    const after = noticeOf(replayed);

    // Assert
    expect(after.body.data.command_id).to.equal(before.body.data.command_id);
    expect(after.message.messageId).to.not.equal(before.message.messageId);
    expect(after.body.message_id).to.equal(after.message.messageId);
  });

  it('given the same delivery handled twice (a redelivery), when its retry is noticed each time, then both notices carry the same id', () => {
    // Arrange
    const command = authorize('5f0c1c1e-0000-4000-8000-000000000003');

    // Act
    const once = noticeOf(command);
    const again = noticeOf(command);

    // Assert
    expect(again.message.messageId).to.equal(once.message.messageId);
  });

  it('given one send, when its first and second retries are noticed, then each notice has its own id', () => {
    // Arrange
    const command = authorize('5f0c1c1e-0000-4000-8000-000000000004');

    // Act
    const first = noticeOf(command, { ...failure, retry: 1 });
    const second = noticeOf(command, { ...failure, retry: 2 });

    // Assert
    expect(second.message.messageId).to.not.equal(first.message.messageId);
  });

  it('given a command whose message id is as long as the envelope allows, when its retry is noticed, then the notice id still fits the envelope', () => {
    // Arrange
    const command = authorize('m'.repeat(128));

    // Act
    const { message } = noticeOf(command, { ...failure, retry: 12 });

    // Assert
    expect(message.messageId.length).to.be.at.most(128);
    expect(noticeOf(command, { ...failure, retry: 12 }).message.messageId).to.equal(
      message.messageId,
    );
  });
});
